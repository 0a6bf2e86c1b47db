"""Ship the need-category taxonomy (idempotent: existing terms are left as admins edited them)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from directory.taxonomy import ensure_need_taxonomy

ID = "2026-11-23T13:51:01:255360"
VERSION = "1.38.0"
DESCRIPTION = "need-category taxonomy"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def seed() -> None:
        await ensure_need_taxonomy()

    manager.add_raw(seed)
    return manager
