"""An index of each client's involvements by when they ended, for the sharing rule's facts."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import UUID, Timestamptz
from piccolo.table import Table

ID = "2026-12-06T07:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "involvements by client and end"


class Involvement(Table, tablename="involvement"):
    """Enough of the table to run statements on it."""

    id = UUID(primary_key=True)
    ended_at = Timestamptz(null=True, default=None)


# Every read of a client's facts asks for the involvements not over now (ended_at IS NULL OR
# ended_at > now). By client alone that read every involvement the client ever had, and each
# referral leaves one: after 150 referrals a client's facts read 150 rows to keep one, and a
# 60-second bench run's accepts slowed by a third. With the end in the index, both halves of
# the condition are index ranges (PostgreSQL: a bitmap OR; SQLite: a multi-index OR).
UP = "CREATE INDEX IF NOT EXISTS involvement_client_ended ON involvement (client, ended_at)"
DOWN = "DROP INDEX IF EXISTS involvement_client_ended"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="consent", description=DESCRIPTION)

    async def up() -> None:
        await Involvement.raw(UP)

    async def down() -> None:
        await Involvement.raw(DOWN)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
