"""Hub sessions: the timetable row beside each session's directory listing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from directory.tables import Service

ID = "2026-12-06T00:10:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "hub sessions"

SQLITE_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS "hub_session" (
        "id" UUID PRIMARY KEY NOT NULL,
        "service" UUID NOT NULL UNIQUE REFERENCES "service" ("id") ON DELETE CASCADE,
        "recurrence" VARCHAR(16) NOT NULL DEFAULT 'weekly',
        "first_date" DATE NOT NULL,
        "last_date" DATE NULL,
        "room" VARCHAR(200) NOT NULL DEFAULT '',
        "capacity" INTEGER NULL,
        "booking_needed" BOOLEAN NOT NULL DEFAULT false,
        "created_by" UUID NULL REFERENCES "staff" ("id") ON DELETE SET NULL,
        "created_at" TIMESTAMPTZ NOT NULL
    )
    """,
]
POSTGRES_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS hub_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service uuid NOT NULL UNIQUE REFERENCES service (id) ON DELETE CASCADE,
        recurrence varchar(16) NOT NULL DEFAULT 'weekly',
        first_date date NOT NULL,
        last_date date NULL,
        room varchar(200) NOT NULL DEFAULT '',
        capacity integer NULL,
        booking_needed boolean NOT NULL DEFAULT false,
        created_by uuid NULL REFERENCES staff (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL
    )
    """,
]
BACKWARDS = ['DROP TABLE IF EXISTS "hub_session"']


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def up() -> None:
        on_postgres = isinstance(Service._meta.db, PostgresEngine)
        for statement in POSTGRES_FORWARDS if on_postgres else SQLITE_FORWARDS:
            await Service.raw(statement)

    async def down() -> None:
        for statement in BACKWARDS:
            await Service.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
