"""Possible duplicates across feeds: pairs of listings flagged for an admin to decide."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from directory.tables import Service

ID = "2026-12-05T21:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "duplicate flags"

SQLITE_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS "duplicate_flag" (
        "id" UUID PRIMARY KEY NOT NULL,
        "service" UUID NOT NULL REFERENCES "service" ("id") ON DELETE CASCADE,
        "other" UUID NOT NULL REFERENCES "service" ("id") ON DELETE CASCADE,
        "reason" VARCHAR(100) NOT NULL,
        "status" VARCHAR(16) NOT NULL DEFAULT 'open',
        "created_at" TIMESTAMPTZ NOT NULL,
        "decided_at" TIMESTAMPTZ NULL DEFAULT null
    )
    """,
    'CREATE INDEX IF NOT EXISTS duplicate_flag_service ON "duplicate_flag" ("service")',
    'CREATE INDEX IF NOT EXISTS duplicate_flag_other ON "duplicate_flag" ("other")',
]
POSTGRES_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS duplicate_flag (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
        other uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
        reason varchar(100) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'open',
        created_at timestamptz NOT NULL,
        decided_at timestamptz NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS duplicate_flag_service ON duplicate_flag (service)",
    "CREATE INDEX IF NOT EXISTS duplicate_flag_other ON duplicate_flag (other)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def up() -> None:
        on_postgres = isinstance(Service._meta.db, PostgresEngine)
        for statement in POSTGRES_FORWARDS if on_postgres else SQLITE_FORWARDS:
            await Service.raw(statement)

    async def down() -> None:
        await Service.raw('DROP TABLE IF EXISTS "duplicate_flag"')

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
