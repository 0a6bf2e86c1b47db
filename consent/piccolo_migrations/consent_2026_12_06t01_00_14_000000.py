"""Rectification: entry versions and correction requests; on PostgreSQL the consent tables'
refuse-change trigger lets an erasure's transaction (only) delete."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, UUID, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

ID = "2026-12-06T01:00:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "entry versions, correction requests, erasure may delete"


class Client(Table, tablename="client"):
    id = UUID(primary_key=True)


class Organisation(Table, tablename="organisation"):
    id = UUID(primary_key=True)


class Staff(Table, tablename="staff"):
    id = UUID(primary_key=True)


class ClientEntry(Table, tablename="client_entry"):
    id = UUID(primary_key=True)


class EntryVersion(Table, tablename="entry_version"):
    """The table as this migration made it."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=ClientEntry, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=32)
    data = JSON(default="{}")
    recorded_at = Timestamptz()
    replaced_at = Timestamptz()
    replaced_by_staff = UUID(null=True, default=None)
    correction = UUID(null=True, default=None)


class CorrectionRequest(Table, tablename="correction_request"):
    """The table as this migration made it."""

    id = UUID(primary_key=True)
    client = ForeignKey(references=Client, on_delete=OnDelete.restrict, index=True)
    entry = ForeignKey(references=ClientEntry, on_delete=OnDelete.restrict, index=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    what_is_wrong = Text()
    should_say = Text()
    status = Varchar(length=16, default="open", index=True)
    asked_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=True)
    reason = Text(default="")


REFUSE = """
CREATE OR REPLACE FUNCTION consent_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('wraparound.erasing', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only or final: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""
OLD_REFUSE = """
CREATE OR REPLACE FUNCTION consent_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only or final: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="consent", description=DESCRIPTION)

    async def up() -> None:
        await EntryVersion.create_table(if_not_exists=True)
        await CorrectionRequest.create_table(if_not_exists=True)
        if isinstance(EntryVersion._meta.db, PostgresEngine):
            await EntryVersion.raw(REFUSE)

    async def down() -> None:
        await CorrectionRequest.alter().drop_table(if_exists=True)
        await EntryVersion.alter().drop_table(if_exists=True)
        if isinstance(EntryVersion._meta.db, PostgresEngine):
            await EntryVersion.raw(OLD_REFUSE)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
