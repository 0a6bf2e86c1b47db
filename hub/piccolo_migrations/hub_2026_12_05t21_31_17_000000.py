"""Backups made or tried: when, where, how big, and whether the copy checked out."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import UUID, BigInt, Boolean, Text, Timestamptz
from piccolo.table import Table

ID = "2026-12-05T21:31:17:000000"
VERSION = "1.38.0"
DESCRIPTION = "backup records"


class BackupRecord(Table, tablename="backup_record"):
    """The table as this migration made it."""

    id = UUID(primary_key=True)
    made_at = Timestamptz(index=True)
    path = Text(default="")
    size = BigInt(default=0)
    ok = Boolean(default=True)
    message = Text(default="")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)

    async def up() -> None:
        await BackupRecord.create_table(if_not_exists=True)

    async def down() -> None:
        await BackupRecord.alter().drop_table(if_exists=True)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
