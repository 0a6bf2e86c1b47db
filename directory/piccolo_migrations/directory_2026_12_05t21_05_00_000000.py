"""Feeds kept in step: the feed table and which listings came from each feed."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from directory.tables import Service

ID = "2026-12-05T21:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "directory feeds"

SQLITE_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS "feed" (
        "id" UUID PRIMARY KEY NOT NULL,
        "url" VARCHAR(500) NOT NULL UNIQUE,
        "publisher" UUID NOT NULL REFERENCES "organisation" ("id") ON DELETE RESTRICT,
        "every_hours" INTEGER NOT NULL DEFAULT 24,
        "created_at" TIMESTAMPTZ NOT NULL,
        "last_started_at" TIMESTAMPTZ NULL DEFAULT null,
        "last_pulled_at" TIMESTAMPTZ NULL DEFAULT null,
        "last_seconds" REAL NULL DEFAULT null,
        "last_status" VARCHAR(16) NOT NULL DEFAULT 'never',
        "last_message" TEXT NOT NULL DEFAULT '',
        "last_counts" TEXT NOT NULL DEFAULT '{}',
        "report" TEXT NOT NULL DEFAULT ''
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS "feed_listing" (
        "id" UUID PRIMARY KEY NOT NULL,
        "feed" UUID NOT NULL REFERENCES "feed" ("id") ON DELETE CASCADE,
        "service" UUID NOT NULL REFERENCES "service" ("id") ON DELETE CASCADE,
        "key" VARCHAR(200) NOT NULL,
        "last_seen_at" TIMESTAMPTZ NOT NULL,
        "missing_since" TIMESTAMPTZ NULL DEFAULT null
    )
    """,
    'CREATE UNIQUE INDEX IF NOT EXISTS feed_listing_feed_service ON "feed_listing" ("feed", "service")',
    'CREATE INDEX IF NOT EXISTS feed_listing_service ON "feed_listing" ("service")',
]
POSTGRES_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS feed (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url varchar(500) NOT NULL UNIQUE,
        publisher uuid NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
        every_hours integer NOT NULL DEFAULT 24,
        created_at timestamptz NOT NULL,
        last_started_at timestamptz NULL,
        last_pulled_at timestamptz NULL,
        last_seconds double precision NULL,
        last_status varchar(16) NOT NULL DEFAULT 'never',
        last_message text NOT NULL DEFAULT '',
        last_counts text NOT NULL DEFAULT '{}',
        report text NOT NULL DEFAULT ''
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS feed_listing (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        feed uuid NOT NULL REFERENCES feed (id) ON DELETE CASCADE,
        service uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
        key varchar(200) NOT NULL,
        last_seen_at timestamptz NOT NULL,
        missing_since timestamptz NULL
    )
    """,
    "CREATE UNIQUE INDEX IF NOT EXISTS feed_listing_feed_service ON feed_listing (feed, service)",
    "CREATE INDEX IF NOT EXISTS feed_listing_service ON feed_listing (service)",
]
BACKWARDS = ['DROP TABLE IF EXISTS "feed_listing"', 'DROP TABLE IF EXISTS "feed"']


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
