"""A referral's life writes the same audit, access-log, notification and outbox rows as before.

The rows of a send, a first look, an accept, a complete and a sender's cancel are compared,
with ids named and random parts (salts, hashes) left out, against `data/move_rows.json`,
which was written by the code before the write path was batched (issue 14). Set
`RECORD_MOVE_ROWS=1` to write the file again after a deliberate change of what is written.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub import clock
from hub.db import raw
from hub.tables import Staff
from referrals import access, moves, views
from referrals.schemas import MoveForm
from tests.referrals.factories import network, sent

EXPECTED = Path(__file__).parent / "data" / "move_rows.json"
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Random (ids, salts, the hashes over them) or not written by a referral (an erasure's mark).
LEFT_OUT = {"id", "payload_salt", "payload_digest", "prev_hash", "hash", "seq", "redacted_by"}
TABLES = {
    "audit_event": "seq",
    "access_log": "at",
    "notification": "at",
    "outbox_job": "run_after",
    "referral_event": "at",
    "involvement": "started_at",
}


class Names:
    """Gives every id a stable name: the network's by role, others in order of appearance."""

    def __init__(self, known: dict[str, str]) -> None:
        self.names = dict(known)

    def __call__(self, text: str) -> str:
        def name(found: re.Match[str]) -> str:
            key = found.group(0)
            return self.names.setdefault(key, f"id{len(self.names)}")

        named = UUID_TEXT.sub(name, text)
        for key, value in self.names.items():
            if "@" in key:  # the staff's (random) e-mail addresses
                named = named.replace(key, value)
            else:  # "(ref 1a2b3c4d)" in notification subjects
                named = named.replace(f"(ref {key[:8]})", f"(ref {value})")
        return named


def _plain(value: Any, names: Names) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return names(str(value))


def _without_message_id(row: dict[str, Any]) -> dict[str, Any]:
    """An e-mail job's payload without its Message-ID (random by nature)."""
    if "payload" not in row or "message_id" not in str(row["payload"]):
        return row
    payload = json.loads(row["payload"])
    payload.pop("message_id", None)
    return {**row, "payload": json.dumps(payload, sort_keys=True)}


async def _rows_since(before: dict[str, int], names: Names) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for table, order in TABLES.items():
        found = await raw(f'SELECT * FROM "{table}" ORDER BY {order}')
        fresh = found[before[table] :] if table == "audit_event" else found
        plain = [
            {key: _plain(value, names) for key, value in sorted(row.items()) if key not in LEFT_OUT}
            for row in map(_without_message_id, fresh)
        ]
        if table != "audit_event":  # the trail's order is its own; elsewhere ties are random
            plain.sort(key=lambda row: json.dumps(row, sort_keys=True))
        rows[table] = plain
    return rows


async def test_a_referrals_life_writes_the_rows_it_wrote_before() -> None:
    clock.freeze(datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    net = await network()
    await Staff.update({Staff.notify_by_email: True}).where(Staff.id == net.partner_worker.id)
    names = Names(
        {
            str(net.hub.id): "hub",
            str(net.partner.id): "partner",
            str(net.hub_worker.id): "hub_worker",
            str(net.partner_worker.id): "partner_worker",
            str(net.partner_colleague.id): "partner_colleague",
            str(net.client.id): "client",
            str(net.service_id): "service",
            str(net.consent_id): "consent",
            net.hub_worker.email: "hub_worker@",
            net.partner_worker.email: "partner_worker@",
            net.partner_colleague.email: "partner_colleague@",
        }
    )
    audit_rows = await raw('SELECT COUNT(*) AS n FROM "audit_event"')
    before = {"audit_event": int(audit_rows[0]["n"])}

    first = await sent(net)
    names.names.setdefault(str(first), "referral_1")
    clock.freeze(datetime(2026, 12, 7, 10, 5, tzinfo=UTC))
    row = await access.load(first)
    assert row is not None
    await moves.stamp_opened(net.recipient, row)
    await views.get_referral(net.recipient, first)  # the page: its reads go to the access log
    clock.freeze(datetime(2026, 12, 7, 10, 10, tzinfo=UTC))
    await moves.move(net.recipient, first, MoveForm(action="accept", version=1))
    clock.freeze(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))
    done = MoveForm(action="complete", version=2, outcome_code="need_met")
    await moves.move(net.recipient, first, done)
    clock.freeze(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    second = await sent(net)
    names.names.setdefault(str(second), "referral_2")
    clock.freeze(datetime(2026, 12, 7, 12, 30, tzinfo=UTC))
    cancel = MoveForm(action="cancel", version=1, reason_code="other", reason_note="Sorted")
    await moves.move(net.sender, second, cancel)

    rows = await _rows_since(before, names)
    if os.environ.get("RECORD_MOVE_ROWS"):
        EXPECTED.parent.mkdir(exist_ok=True)
        EXPECTED.write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
    expected = json.loads(EXPECTED.read_text())
    for table in TABLES:
        assert rows[table] == expected[table], table
