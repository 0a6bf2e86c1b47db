"""An index the monthly report reads by: signposting hand-overs by when they were handed over."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from directory.tables import Service

ID = "2026-12-06T00:50:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "signposting hand-over index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def up() -> None:
        await Service.raw(
            'CREATE INDEX IF NOT EXISTS signpost_list_handed_over ON "signpost_list" '
            '("handed_over_at")'
        )

    async def down() -> None:
        await Service.raw("DROP INDEX IF EXISTS signpost_list_handed_over")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
