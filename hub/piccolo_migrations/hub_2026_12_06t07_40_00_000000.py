"""On PostgreSQL, a function that takes an advisory lock, then runs a read (hub.db.read_under_lock)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Varchar
from piccolo.table import Table

ID = "2026-12-06T07:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "read under a lock"


class Organisation(Table, tablename="organisation"):
    """Any table, to run statements through."""

    name = Varchar(length=200)


# Taking a lock and then reading what it protects were two round trips (the audit trail's end,
# before every commit that writes the trail). One statement cannot do both: its snapshot is
# older than the lock. A statement inside a VOLATILE function takes a snapshot of its own,
# after the lock is held, so it sees what whoever held the lock before committed. The key
# comes from hub.db.lock_key; the read is the app's own SQL, never user input.
UP = """
CREATE OR REPLACE FUNCTION hub_read_under_lock(lock_key bigint, query text)
RETURNS SETOF json
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  RETURN QUERY EXECUTE 'SELECT row_to_json(r) FROM (' || query || ') r';
END
$$
"""
DOWN = "DROP FUNCTION IF EXISTS hub_read_under_lock(bigint, text)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hub", description=DESCRIPTION)

    async def up() -> None:
        if Organisation._meta.db.engine_type == "postgres":
            await Organisation.raw(UP)

    async def down() -> None:
        if Organisation._meta.db.engine_type == "postgres":
            await Organisation.raw(DOWN)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
