"""Erased clients' referrals, as counts only (recipients' tombstones for monitoring)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import UUID, Date, ForeignKey, Integer, OnDelete, Varchar
from piccolo.table import Table

ID = "2026-12-06T01:00:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "erased referral tallies"


class Organisation(Table, tablename="organisation"):
    id = UUID(primary_key=True)


class ErasedReferralTally(Table, tablename="erased_referral_tally"):
    """The table as this migration made it."""

    id = UUID(primary_key=True)
    recipient_organisation = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, index=True
    )
    service = UUID(null=True, default=None)
    status = Varchar(length=16)
    month = Date()
    total = Integer(default=0)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="referrals", description=DESCRIPTION)

    async def up() -> None:
        await ErasedReferralTally.create_table(if_not_exists=True)

    async def down() -> None:
        await ErasedReferralTally.alter().drop_table(if_exists=True)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
