"""Audit checkpoints: signed notes of the trail's newest row; on PostgreSQL never changed."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

ID = "2026-12-06T01:10:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit checkpoints"


class AuditCheckpoint(Table, tablename="audit_checkpoint"):
    """The table as this migration made it."""

    seq = Integer(index=True)
    hash = Varchar(length=64)
    at = Timestamptz()
    mac = Varchar(length=64)


APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoint is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
TRIGGER = """
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)

    async def up() -> None:
        await AuditCheckpoint.create_table(if_not_exists=True)
        if isinstance(AuditCheckpoint._meta.db, PostgresEngine):
            await AuditCheckpoint.raw(APPEND_ONLY)
            await AuditCheckpoint.raw(TRIGGER)

    async def down() -> None:
        await AuditCheckpoint.alter().drop_table(if_exists=True)
        if isinstance(AuditCheckpoint._meta.db, PostgresEngine):
            await AuditCheckpoint.raw("DROP FUNCTION IF EXISTS audit_checkpoint_refuse_change()")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
