"""Audit trail is append-only on PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from hub.tables import AuditEvent

ID = "2026-11-23T13:33:01:139860"
VERSION = "1.38.0"
DESCRIPTION = "audit_event append-only trigger (PostgreSQL)"

FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_event_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()
    """,
    """
    CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()
    """,
]

BACKWARDS = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_no_update_or_delete ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)

    async def run(statements: list[str]) -> None:
        engine = AuditEvent._meta.db
        if isinstance(engine, PostgresEngine):
            for statement in statements:
                await AuditEvent.raw(statement)

    async def up() -> None:
        await run(FORWARDS)

    async def down() -> None:
        await run(BACKWARDS)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
