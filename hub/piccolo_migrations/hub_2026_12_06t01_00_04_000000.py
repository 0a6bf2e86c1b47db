"""Erasure: audit rows hash a salted digest of their payload (so it can be blanked), and
erasure requests; on PostgreSQL the audit trigger lets only an erasure blank a payload."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import UUID, Text, Timestamptz, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

ID = "2026-12-06T01:00:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit payload digests, erasure requests"


class ErasureRequest(Table, tablename="erasure_request"):
    """The table as this migration made it."""

    id = UUID(primary_key=True)
    client_id = UUID(null=True, default=None, index=True)
    reason = Varchar(length=16)
    status = Varchar(length=16, default="proposed", index=True)
    proposed_at = Timestamptz()
    asked_by_kind = Varchar(length=16, default="system")
    note = Text(default="")
    decided_by = UUID(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    counts = Text(default="{}")


COLUMNS = {"payload_salt": 32, "payload_digest": 64, "redacted_by": 64}

# The chain's own columns never change; the payload may be blanked only inside an erasure's
# transaction (which sets wraparound.erasing), and rows are never deleted.
AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('wraparound.erasing', true) = 'on'
       AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor_kind = OLD.actor_kind
       AND NEW.organisation_id = OLD.organisation_id AND NEW.action = OLD.action
       AND NEW.subject_type = OLD.subject_type AND NEW.prev_hash = OLD.prev_hash
       AND NEW.hash = OLD.hash AND NEW.payload_digest = OLD.payload_digest THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
OLD_AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)

    async def up() -> None:
        for name, length in COLUMNS.items():
            await ErasureRequest.raw(
                f"ALTER TABLE audit_event ADD COLUMN {name} VARCHAR({length}) NOT NULL DEFAULT ''"
            )
        await ErasureRequest.create_table(if_not_exists=True)
        if isinstance(ErasureRequest._meta.db, PostgresEngine):
            await ErasureRequest.raw(AUDIT_FUNCTION)

    async def down() -> None:
        await ErasureRequest.alter().drop_table(if_exists=True)
        if isinstance(ErasureRequest._meta.db, PostgresEngine):
            await ErasureRequest.raw(OLD_AUDIT_FUNCTION)
        for name in COLUMNS:
            await ErasureRequest.raw(f"ALTER TABLE audit_event DROP COLUMN {name}")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
