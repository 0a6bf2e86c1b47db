"""Search that understands: analysed text, a table of the listings' words, needs' synonyms.

The index now stores text analysed by `directory.search.language` (stems and written words)
on both databases, so every document is removed here and the index is rebuilt by
`wraparound migrate` (or `wraparound directory reindex`). PostgreSQL's documents get an id
that is never reused, so a process can keep what it parsed of a row; the name trigram index
goes (typos are corrected from `directory_search_term` on both databases). Need categories
get `synonyms` (raw SQL, so that shipping the taxonomy can run in the same step).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from directory.tables import Service
from directory.taxonomy import ensure_need_taxonomy

ID = "2026-12-05T20:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: analysed text, word table, need synonyms"

SQLITE_FORWARDS = [
    "ALTER TABLE taxonomy_term ADD COLUMN synonyms TEXT NOT NULL DEFAULT ''",
    """
    CREATE TABLE IF NOT EXISTS directory_search_term (
        term TEXT PRIMARY KEY,
        documents INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    "DELETE FROM directory_search_doc",
    "INSERT INTO directory_search_fts (directory_search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARDS = [
    "DROP TABLE IF EXISTS directory_search_term",
    "ALTER TABLE taxonomy_term DROP COLUMN synonyms",
]
POSTGRES_FORWARDS = [
    "ALTER TABLE taxonomy_term ADD COLUMN synonyms text NOT NULL DEFAULT ''",
    """
    CREATE TABLE IF NOT EXISTS directory_search_term (
        term text PRIMARY KEY,
        documents integer NOT NULL
    )
    """,
    "DELETE FROM directory_search_doc",
    "DROP INDEX IF EXISTS directory_search_doc_name_trgm",
    "ALTER TABLE directory_search_doc ADD COLUMN id bigserial",
    "CREATE UNIQUE INDEX directory_search_doc_id ON directory_search_doc (id)",
]
POSTGRES_BACKWARDS = [
    "DROP TABLE IF EXISTS directory_search_term",
    "ALTER TABLE directory_search_doc DROP COLUMN IF EXISTS id",
    "ALTER TABLE taxonomy_term DROP COLUMN IF EXISTS synonyms",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def run(postgres: list[str], sqlite: list[str]) -> None:
        on_postgres = isinstance(Service._meta.db, PostgresEngine)
        for statement in postgres if on_postgres else sqlite:
            await Service.raw(statement)

    async def up() -> None:
        await run(POSTGRES_FORWARDS, SQLITE_FORWARDS)
        await ensure_need_taxonomy()  # the shipped categories, with their everyday words

    async def down() -> None:
        await run(POSTGRES_BACKWARDS, SQLITE_BACKWARDS)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
