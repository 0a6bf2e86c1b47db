"""Hub session registers and bookings."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from plans.tables import Plan

ID = "2026-12-06T00:15:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "hub session attendance and bookings"

SQLITE_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS "attendance" (
        "id" UUID PRIMARY KEY NOT NULL,
        "session" UUID NOT NULL REFERENCES "hub_session" ("id") ON DELETE CASCADE,
        "on_date" DATE NOT NULL,
        "client" UUID NULL REFERENCES "client" ("id") ON DELETE CASCADE,
        "visitors" INTEGER NOT NULL DEFAULT 1,
        "age_band" VARCHAR(16) NOT NULL DEFAULT '',
        "first_visit" BOOLEAN NOT NULL DEFAULT false,
        "organisation" UUID NOT NULL,
        "recorded_by" UUID NOT NULL,
        "recorded_at" TIMESTAMPTZ NOT NULL,
        "removed_at" TIMESTAMPTZ NULL
    )
    """,
    'CREATE INDEX IF NOT EXISTS attendance_session ON "attendance" ("session", "on_date")',
    'CREATE INDEX IF NOT EXISTS attendance_on_date ON "attendance" ("on_date")',
    'CREATE INDEX IF NOT EXISTS attendance_client ON "attendance" ("client")',
    """
    CREATE TABLE IF NOT EXISTS "booking" (
        "id" UUID PRIMARY KEY NOT NULL,
        "session" UUID NOT NULL REFERENCES "hub_session" ("id") ON DELETE CASCADE,
        "on_date" DATE NOT NULL,
        "client" UUID NOT NULL REFERENCES "client" ("id") ON DELETE CASCADE,
        "booked_at" TIMESTAMPTZ NOT NULL,
        "cancelled_at" TIMESTAMPTZ NULL
    )
    """,
    'CREATE INDEX IF NOT EXISTS booking_session ON "booking" ("session", "on_date")',
    'CREATE INDEX IF NOT EXISTS booking_client ON "booking" ("client")',
]
POSTGRES_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS attendance (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session uuid NOT NULL REFERENCES hub_session (id) ON DELETE CASCADE,
        on_date date NOT NULL,
        client uuid NULL REFERENCES client (id) ON DELETE CASCADE,
        visitors integer NOT NULL DEFAULT 1,
        age_band varchar(16) NOT NULL DEFAULT '',
        first_visit boolean NOT NULL DEFAULT false,
        organisation uuid NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL,
        removed_at timestamptz NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS attendance_session ON attendance (session, on_date)",
    "CREATE INDEX IF NOT EXISTS attendance_on_date ON attendance (on_date)",
    "CREATE INDEX IF NOT EXISTS attendance_client ON attendance (client)",
    """
    CREATE TABLE IF NOT EXISTS booking (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session uuid NOT NULL REFERENCES hub_session (id) ON DELETE CASCADE,
        on_date date NOT NULL,
        client uuid NOT NULL REFERENCES client (id) ON DELETE CASCADE,
        booked_at timestamptz NOT NULL,
        cancelled_at timestamptz NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS booking_session ON booking (session, on_date)",
    "CREATE INDEX IF NOT EXISTS booking_client ON booking (client)",
]
BACKWARDS = ['DROP TABLE IF EXISTS "booking"', 'DROP TABLE IF EXISTS "attendance"']


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="plans", description=DESCRIPTION)

    async def up() -> None:
        on_postgres = isinstance(Plan._meta.db, PostgresEngine)
        for statement in POSTGRES_FORWARDS if on_postgres else SQLITE_FORWARDS:
            await Plan.raw(statement)

    async def down() -> None:
        for statement in BACKWARDS:
            await Plan.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
