"""Short consent references a person can read over the phone: WR-7K3M-Q9.

Six characters from an alphabet without the ones people mix up (0/O, 1/I/L, U/V): about
590 million references, each checked unused before it is given. The consent's UUID stays
its id in every address; the reference is for people.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from uuid import UUID

import msgspec

from consent.rows import ReferenceRow
from consent.tables import ConsentReference

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
PATTERN = re.compile(rf"^WR-[{ALPHABET}]{{4}}-[{ALPHABET}]{{2}}$")
TRIES = 20


def new_reference() -> str:
    """A random reference in the WR-XXXX-XX form."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"WR-{chars[:4]}-{chars[4:]}"


async def assign(consent_id: UUID) -> str:
    """Give the consent an unused reference (call inside the transaction that writes it)."""
    for _ in range(TRIES):
        reference = new_reference()
        if not await ConsentReference.exists().where(ConsentReference.reference == reference):
            await ConsentReference.insert(ConsentReference(consent=consent_id, reference=reference))
            return reference
    msg = "no unused consent reference found"
    raise RuntimeError(msg)


async def for_consents(consent_ids: Sequence[UUID]) -> dict[UUID, str]:
    """Each consent's reference, by consent id (consents without one are left out)."""
    if not consent_ids:
        return {}
    rows = msgspec.convert(
        await ConsentReference.select(ConsentReference.consent, ConsentReference.reference).where(
            ConsentReference.consent.is_in(list(consent_ids))
        ),
        list[ReferenceRow],
    )
    return {row.consent: row.reference for row in rows}
