"""Directory search index: SQLite FTS5, or PostgreSQL tsvector + GIN + pg_trgm.

One document row per active service. The row goes with its service (foreign key, cascade);
on SQLite, triggers keep the external-content FTS5 index in step with the document rows, and
a changed listing gets a new row with a new id (AUTOINCREMENT: ids are never reused, so a
process may keep what it parsed of a row for as long as it likes).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from directory.tables import Service

ID = "2026-11-23T14:08:58:467469"
VERSION = "1.38.0"
DESCRIPTION = "directory search index (FTS5 / tsvector + pg_trgm)"

SQLITE_FORWARDS = [
    """
    CREATE TABLE directory_search_doc (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        service_id TEXT NOT NULL UNIQUE REFERENCES service (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        description TEXT NOT NULL,
        other TEXT NOT NULL,
        tokens TEXT NOT NULL,
        categories TEXT NOT NULL,
        languages TEXT NOT NULL,
        flags INTEGER NOT NULL,
        week TEXT NOT NULL,
        exception_dates TEXT NOT NULL,
        hours TEXT NOT NULL,
        latitude REAL,
        longitude REAL,
        minimum_age INTEGER,
        maximum_age INTEGER
    )
    """,
    "CREATE INDEX directory_search_doc_latitude ON directory_search_doc (latitude)",
    """
    CREATE VIRTUAL TABLE directory_search_fts USING fts5(
        name, description, other, tokens,
        content = 'directory_search_doc',
        content_rowid = 'id',
        tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"
    )
    """,
    """
    CREATE TRIGGER directory_search_doc_ai AFTER INSERT ON directory_search_doc BEGIN
        INSERT INTO directory_search_fts (rowid, name, description, other, tokens)
        VALUES (new.id, new.name, new.description, new.other, new.tokens);
    END
    """,
    """
    CREATE TRIGGER directory_search_doc_ad AFTER DELETE ON directory_search_doc BEGIN
        INSERT INTO directory_search_fts (directory_search_fts, rowid, name, description, other, tokens)
        VALUES ('delete', old.id, old.name, old.description, old.other, old.tokens);
    END
    """,
    """
    CREATE TRIGGER directory_search_doc_au AFTER UPDATE ON directory_search_doc BEGIN
        INSERT INTO directory_search_fts (directory_search_fts, rowid, name, description, other, tokens)
        VALUES ('delete', old.id, old.name, old.description, old.other, old.tokens);
        INSERT INTO directory_search_fts (rowid, name, description, other, tokens)
        VALUES (new.id, new.name, new.description, new.other, new.tokens);
    END
    """,
]

SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS directory_search_doc_au",
    "DROP TRIGGER IF EXISTS directory_search_doc_ad",
    "DROP TRIGGER IF EXISTS directory_search_doc_ai",
    "DROP TABLE IF EXISTS directory_search_fts",
    "DROP TABLE IF EXISTS directory_search_doc",
]

POSTGRES_FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE TABLE directory_search_doc (
        service_id uuid PRIMARY KEY REFERENCES service (id) ON DELETE CASCADE,
        name text NOT NULL,
        name_key text NOT NULL,
        document tsvector NOT NULL,
        tokens text[] NOT NULL,
        categories text NOT NULL,
        languages text NOT NULL,
        flags integer NOT NULL,
        week text NOT NULL,
        exception_dates text NOT NULL,
        hours text NOT NULL,
        latitude double precision,
        longitude double precision,
        minimum_age integer,
        maximum_age integer
    )
    """,
    "CREATE INDEX directory_search_doc_document ON directory_search_doc USING gin (document)",
    "CREATE INDEX directory_search_doc_tokens ON directory_search_doc USING gin (tokens)",
    "CREATE INDEX directory_search_doc_name_trgm ON directory_search_doc "
    "USING gin (name gin_trgm_ops)",
    "CREATE INDEX directory_search_doc_latitude ON directory_search_doc (latitude)",
]

POSTGRES_BACKWARDS = ["DROP TABLE IF EXISTS directory_search_doc"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def run(postgres: list[str], sqlite: list[str]) -> None:
        on_postgres = isinstance(Service._meta.db, PostgresEngine)
        for statement in postgres if on_postgres else sqlite:
            await Service.raw(statement)

    async def up() -> None:
        await run(POSTGRES_FORWARDS, SQLITE_FORWARDS)

    async def down() -> None:
        await run(POSTGRES_BACKWARDS, SQLITE_BACKWARDS)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
