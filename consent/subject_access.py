"""Subject access: everything held about one person, as a readable page and JSON, in one zip.

The client may take their own pack from the portal. Staff may take it for them only where
they look after the client's portal account (the hub, the organisation that registered them,
the lead professional's organisation: `policy.check_portal_steward`), so a partner holding
only a referral cannot. Other clients' names found in free text are listed for a worker to
redact before the pack is handed over. Every pack made is in the audit trail.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, select_autoescape

from consent import policy
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.errors import NotFound
from hub.personal_data import collect
from hub.tables import Client

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
)


@dataclass(frozen=True)
class Redaction:
    """Another person's name found in the pack: where, so a worker can remove it."""

    section: str
    field: str
    name: str


@dataclass
class SubjectAccessPack:
    """What is held about one person, and what to redact before release."""

    client_id: UUID
    client_name: str
    made_at: str
    sections: dict[str, list[dict[str, Any]]]
    redactions: list[Redaction] = field(default_factory=list)

    def as_json(self) -> bytes:
        """The machine-readable copy."""
        body = {
            "client_id": str(self.client_id),
            "made_at": self.made_at,
            "sections": self.sections,
            "to_redact": [vars(item) for item in self.redactions],
        }
        return json.dumps(body, indent=1, ensure_ascii=False).encode()

    def as_html(self) -> str:
        """The readable, printable copy."""
        return _environment.get_template("consent/subject_access_pack.html").render(pack=self)

    def as_zip(self) -> bytes:
        """Both copies in one zip."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr("subject-access.json", self.as_json())
            bundle.writestr("subject-access.html", self.as_html())
        return buffer.getvalue()


def _texts(value: Any, path: str) -> list[tuple[str, str]]:
    """Every string inside a value, with where it sits."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for key, inner in value.items() for item in _texts(inner, f"{path}.{key}")]
    if isinstance(value, list):
        return [item for at, inner in enumerate(value) for item in _texts(inner, f"{path}[{at}]")]
    return []


async def other_people(client_id: UUID) -> list[str]:
    """Names of every other client (full and preferred), longest first."""
    rows = await Client.select(Client.full_name, Client.preferred_name).where(
        Client.id != client_id
    )
    names = {name.strip() for row in rows for name in row.values() if name and len(name) > 2}
    return sorted(names, key=len, reverse=True)


def find_redactions(sections: dict[str, list[dict[str, Any]]], names: list[str]) -> list[Redaction]:
    """Where other clients' names stand in the pack's text."""
    if not names:
        return []
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(name) for name in names) + r")\b", re.IGNORECASE
    )
    found: list[Redaction] = []
    for title, rows in sections.items():
        for at, row in enumerate(rows):
            for where, text in _texts(row, f"[{at}]"):
                found += [
                    Redaction(title, where, match.group(1)) for match in pattern.finditer(text)
                ]
    return found


async def _authorised(principal: Principal, client_id: UUID) -> None:
    """The client themself, or staff who look after the client's portal account."""
    if principal.is_client:
        if principal.id != client_id:
            await audit.record(
                "subject_access.refused", principal.actor, subject_type="client",
                subject_id=str(client_id),
            )  # fmt: skip
            msg = "No such client"
            raise NotFound(msg)
        return
    await policy.check_portal_steward(principal, client_id)


async def make_pack(principal: Principal, client_id: UUID) -> SubjectAccessPack:
    """Everything held about the client, for them or for a worker acting for them (audited).

    Raises:
        NotFound: another client's pack, or a client this worker may not act for.
        Forbidden: a worker who may act for the client but does not look after their account.
    """
    await _authorised(principal, client_id)
    sections = await collect(client_id)
    identity = sections.get("Identity") or [{}]
    others = await other_people(client_id)
    rest = {title: rows for title, rows in sections.items() if title != "Identity"}
    pack = SubjectAccessPack(
        client_id=client_id,
        client_name=str(identity[0].get("full_name", "")),
        made_at=clock.now().isoformat(timespec="seconds"),
        sections=sections,
        redactions=find_redactions(rest, others),
    )
    await audit.record(
        "subject_access.pack_made",
        principal.actor,
        subject_type="client",
        subject_id=str(client_id),
        detail={
            "sections": {title: len(rows) for title, rows in sections.items()},
            "to_redact": len(pack.redactions),
        },
    )
    return pack
