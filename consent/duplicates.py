"""Possible duplicates: same date of birth and a close name, among clients the worker may see.

Only records the sharing policy already lets this worker identify are compared. A record
held elsewhere and not shared with the worker is never hinted at, not even as "someone with
this name exists": that alone would tell them the person is known to (say) an addiction
service. The cost is that such a person can be registered twice; the registering form says
so and suggests asking the client.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from difflib import SequenceMatcher

import msgspec

from consent import access_log, policy
from consent.rows import NamedClientRow
from consent.schemas import DuplicateCandidate
from consent.vocabulary import IDENTITY
from hub.accounts.schemas import Principal
from hub.tables import Client

CLOSE_ENOUGH = 0.8


def normalise_name(name: str) -> str:
    """Lower case, no accents or punctuation: "Siobhán O'Neill" -> "siobhan oneill"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"['\u2019`.]", "", plain)  # apostrophes, curly or not
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def name_similarity(first: str, second: str) -> float:
    """0 to 1: the better of the names as typed and with their words in order (so
    "Smith Kerry" matches "Kerry Smith")."""
    a, b = normalise_name(first), normalise_name(second)
    if not a or not b:
        return 0.0
    as_typed = SequenceMatcher(None, a, b).ratio()
    a_sorted, b_sorted = " ".join(sorted(a.split())), " ".join(sorted(b.split()))
    return max(as_typed, SequenceMatcher(None, a_sorted, b_sorted).ratio())


def name_forms(full_name: str, preferred_name: str) -> list[str]:
    """The full name, and the preferred name with the surname ("Kez Smith" for Kerry Smith).

    A bare preferred name is never compared alone: two people called "Sam" born on the same
    day are not a likely duplicate.
    """
    forms = [full_name]
    words = full_name.split()
    if preferred_name.strip() and len(words) > 1:
        forms.append(f"{preferred_name.strip()} {words[-1]}")
    return [form for form in forms if form.strip()]


def closest(first: list[str], second: list[str]) -> float:
    """The best similarity between any form of one name and any form of the other."""
    return max((name_similarity(a, b) for a in first for b in second), default=0.0)


async def possible_duplicates(
    principal: Principal, full_name: str, preferred_name: str, date_of_birth: date | None
) -> list[DuplicateCandidate]:
    """Records this worker may identify with the same date of birth and a close name.

    Showing them is a read of their identity, so it goes to the access log.
    """
    if date_of_birth is None or not full_name.strip():
        return []
    same_birthday = list(
        await Client.select(Client.id)
        .where(Client.date_of_birth == date_of_birth)
        .output(as_list=True)
    )
    if not same_birthday:
        return []
    decisions = await policy.visible_clients(principal, among=same_birthday)
    identifiable = [d.client_id for d in decisions if d.identity_visible]
    if not identifiable:
        return []
    rows = msgspec.convert(
        await Client.select(Client.id, Client.full_name, Client.preferred_name).where(
            Client.id.is_in(identifiable)
        ),
        list[NamedClientRow],
    )
    candidates = []
    for row in rows:
        score = closest(
            name_forms(full_name, preferred_name),
            name_forms(row.full_name, row.preferred_name),
        )
        if score >= CLOSE_ENOUGH:
            candidates.append(
                DuplicateCandidate(
                    id=row.id,
                    full_name=row.full_name,
                    preferred_name=row.preferred_name,
                    date_of_birth=date_of_birth,
                    similarity=round(score, 2),
                )
            )
    candidates.sort(key=lambda c: -c.similarity)
    await access_log.record_reads(
        principal, {c.id: [IDENTITY] for c in candidates}, context="duplicate_check"
    )
    return candidates
