"""Feedback and published monthly figures."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from reports.tables import Feedback

ID = "2026-12-06T00:20:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "feedback and published figures"

SQLITE_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS "feedback" (
        "id" UUID PRIMARY KEY NOT NULL,
        "about" VARCHAR(16) NOT NULL,
        "session_id" UUID NULL,
        "service_id" UUID NULL,
        "organisation_id" UUID NULL,
        "title" VARCHAR(300) NOT NULL DEFAULT '',
        "rating" INTEGER NOT NULL,
        "comment" TEXT NOT NULL DEFAULT '',
        "given_at" TIMESTAMPTZ NOT NULL
    )
    """,
    'CREATE INDEX IF NOT EXISTS feedback_given_at ON "feedback" ("given_at")',
    'CREATE INDEX IF NOT EXISTS feedback_organisation ON "feedback" ("organisation_id")',
    """
    CREATE TABLE IF NOT EXISTS "published_figures" (
        "id" UUID PRIMARY KEY NOT NULL,
        "organisation" UUID NOT NULL REFERENCES "organisation" ("id") ON DELETE CASCADE,
        "month" DATE NOT NULL,
        "figures" TEXT NOT NULL DEFAULT '{}',
        "published_at" TIMESTAMPTZ NOT NULL,
        "published_by" UUID NULL
    )
    """,
    'CREATE UNIQUE INDEX IF NOT EXISTS published_once ON "published_figures" ("organisation", "month")',
]
POSTGRES_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS feedback (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        about varchar(16) NOT NULL,
        session_id uuid NULL,
        service_id uuid NULL,
        organisation_id uuid NULL,
        title varchar(300) NOT NULL DEFAULT '',
        rating integer NOT NULL,
        comment text NOT NULL DEFAULT '',
        given_at timestamptz NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS feedback_given_at ON feedback (given_at)",
    "CREATE INDEX IF NOT EXISTS feedback_organisation ON feedback (organisation_id)",
    """
    CREATE TABLE IF NOT EXISTS published_figures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation uuid NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,
        month date NOT NULL,
        figures text NOT NULL DEFAULT '{}',
        published_at timestamptz NOT NULL,
        published_by uuid NULL
    )
    """,
    "CREATE UNIQUE INDEX IF NOT EXISTS published_once ON published_figures (organisation, month)",
]
BACKWARDS = ['DROP TABLE IF EXISTS "published_figures"', 'DROP TABLE IF EXISTS "feedback"']


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def up() -> None:
        on_postgres = isinstance(Feedback._meta.db, PostgresEngine)
        for statement in POSTGRES_FORWARDS if on_postgres else SQLITE_FORWARDS:
            await Feedback.raw(statement)

    async def down() -> None:
        for statement in BACKWARDS:
            await Feedback.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
