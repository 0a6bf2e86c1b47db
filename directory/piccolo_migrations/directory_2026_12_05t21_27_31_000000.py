"""Feeds: when each was last read in full (between full pulls, only changes are asked for)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from directory.tables import Service

ID = "2026-12-05T21:27:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "feed last full pull"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def up() -> None:
        await Service.raw('ALTER TABLE "feed" ADD COLUMN "last_full_at" TIMESTAMPTZ NULL')

    async def down() -> None:
        await Service.raw('ALTER TABLE "feed" DROP COLUMN "last_full_at"')

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
