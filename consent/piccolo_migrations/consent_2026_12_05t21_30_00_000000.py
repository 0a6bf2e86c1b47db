"""Short consent references (WR-7K3M-Q9): their table, and one for every consent given before."""

import secrets
import uuid

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

from consent.tables import Consent

ID = "2026-12-05T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "consent references"

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"  # as consent/references.py, frozen here

SQLITE_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS "consent_reference" (
        "id" UUID PRIMARY KEY NOT NULL,
        "consent" UUID NOT NULL UNIQUE REFERENCES "consent" ("id") ON DELETE CASCADE,
        "reference" VARCHAR(12) NOT NULL UNIQUE
    )
    """,
]
POSTGRES_FORWARDS = [
    """
    CREATE TABLE IF NOT EXISTS consent_reference (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consent uuid NOT NULL UNIQUE REFERENCES consent (id) ON DELETE CASCADE,
        reference varchar(12) NOT NULL UNIQUE
    )
    """,
]
BACKWARDS = ['DROP TABLE IF EXISTS "consent_reference"']


def _reference(taken: set[str]) -> str:
    while True:
        chars = "".join(secrets.choice(ALPHABET) for _ in range(6))
        reference = f"WR-{chars[:4]}-{chars[4:]}"
        if reference not in taken:
            taken.add(reference)
            return reference


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="consent", description=DESCRIPTION)

    async def up() -> None:
        on_postgres = isinstance(Consent._meta.db, PostgresEngine)
        for statement in POSTGRES_FORWARDS if on_postgres else SQLITE_FORWARDS:
            await Consent.raw(statement)
        given = await Consent.raw(
            'SELECT c.id FROM "consent" c WHERE NOT EXISTS '
            '(SELECT 1 FROM "consent_reference" r WHERE r.consent = c.id)'
        )
        taken = {row["reference"] for row in await Consent.raw(
            'SELECT reference FROM "consent_reference"'
        )}
        for row in given:
            await Consent.raw(
                'INSERT INTO "consent_reference" (id, consent, reference) VALUES ({}, {}, {})',
                str(uuid.uuid4()),
                row["id"],
                _reference(taken),
            )

    async def down() -> None:
        for statement in BACKWARDS:
            await Consent.raw(statement)

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
