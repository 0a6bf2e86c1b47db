"""PostgreSQL search filters in narrow rows of their own, for searches that only filter.

A search by need, hours and distance read thousands of document rows for their filter data
alone, and half of each row was its tsvector: the same filter columns in a table of their own
(kept in step by the backend's inserts, gone with their document) read in half the time.
Searches with words still read the document rows, where the text and filters sit together.
Nothing changes on SQLite (FTS5 keeps its index apart already).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from directory.tables import Service

ID = "2026-12-05T21:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search: PostgreSQL filter rows apart from the text"

POSTGRES_FORWARDS = [
    """
    CREATE TABLE directory_search_filter (
        id bigint PRIMARY KEY REFERENCES directory_search_doc (id) ON DELETE CASCADE,
        tokens text[] NOT NULL,
        latitude double precision,
        longitude double precision,
        minimum_age integer,
        maximum_age integer
    )
    """,
    "INSERT INTO directory_search_filter SELECT id, tokens, latitude, longitude, minimum_age, "
    "maximum_age FROM directory_search_doc",
    "CREATE INDEX directory_search_filter_tokens ON directory_search_filter USING gin (tokens)",
]
POSTGRES_BACKWARDS = ["DROP TABLE IF EXISTS directory_search_filter"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def run(statements: list[str]) -> None:
        if isinstance(Service._meta.db, PostgresEngine):
            for statement in statements:
                await Service.raw(statement)

    async def up() -> None:
        await run(POSTGRES_FORWARDS)

    async def down() -> None:
        await run(POSTGRES_BACKWARDS)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
