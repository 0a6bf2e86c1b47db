"""A partial index of each staff member's unread notifications, for the badge on every page."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-12-06T05:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unread notifications index"


class Notification(Table, tablename="notification"):
    """Enough of the table to run statements on it."""

    subject = Varchar(length=300)
    read_at = Timestamptz(null=True, default=None)


# Every page counts the reader's unread notifications. Through the index on `staff` alone
# that read every notification they ever had (0.9 ms at 1,600); this holds only unread ones.
UP = "CREATE INDEX IF NOT EXISTS notification_unread ON notification (staff) WHERE read_at IS NULL"
DOWN = "DROP INDEX IF EXISTS notification_unread"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)

    async def up() -> None:
        await Notification.raw(UP)

    async def down() -> None:
        await Notification.raw(DOWN)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
