"""Wellbeing areas in the client's own words: one row per plan and area."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from plans.tables import Plan

ID = "2026-12-05T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "area words"

SQLITE_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS "area_words" (
        "id" UUID PRIMARY KEY NOT NULL,
        "plan" UUID NOT NULL REFERENCES "plan" ("id") ON DELETE CASCADE,
        "area" VARCHAR(32) NOT NULL,
        "words" VARCHAR(80) NOT NULL,
        "updated_at" TIMESTAMPTZ NOT NULL
    )
    """,
    'CREATE UNIQUE INDEX IF NOT EXISTS area_words_once ON "area_words" ("plan", "area")',
]
POSTGRES_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS area_words (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        plan uuid NOT NULL REFERENCES plan (id) ON DELETE CASCADE,
        area varchar(32) NOT NULL,
        words varchar(80) NOT NULL,
        updated_at timestamptz NOT NULL
    )
    """,
    "CREATE UNIQUE INDEX IF NOT EXISTS area_words_once ON area_words (plan, area)",
]
BACKWARDS = ['DROP TABLE IF EXISTS "area_words"']


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
