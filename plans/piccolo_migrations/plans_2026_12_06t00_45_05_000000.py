"""Indexes the monthly report reads by: attendance by day (covering) and reviews by date."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from plans.tables import Plan

ID = "2026-12-06T00:45:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "report indexes"

FORWARDS = [
    'CREATE INDEX IF NOT EXISTS attendance_report ON "attendance" '
    '("on_date", "session", "first_visit", "visitors", "removed_at")',
    'CREATE INDEX IF NOT EXISTS review_held_on ON "review" ("held_on", "plan")',
]
BACKWARDS = [
    "DROP INDEX IF EXISTS attendance_report",
    "DROP INDEX IF EXISTS review_held_on",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="plans", description=DESCRIPTION)

    async def up() -> None:
        for statement in FORWARDS:
            await Plan.raw(statement)

    async def down() -> None:
        for statement in BACKWARDS:
            await Plan.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
