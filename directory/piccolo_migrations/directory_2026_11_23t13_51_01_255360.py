"""Shipped the need-category taxonomy; now done by 2026-12-05T20:40, once `synonyms` exists.

The shipping code writes every column the table has today, so running it here, before a
later migration adds a column, would fail on a fresh database.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T13:51:01:255360"
VERSION = "1.38.0"
DESCRIPTION = "need-category taxonomy"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="directory", description=DESCRIPTION)

    async def seed() -> None:
        """Nothing: see the module's docstring."""

    manager.add_raw(seed)
    return manager
