"""The demo's mail catcher: an SMTP server on loopback that keeps every message as an .eml file.

`wraparound demo --serve` starts it when no SMTP_HOST is set, points the app at it and prints
where to read what it caught (the folder, and the /demo/mail page for signed-in staff).
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

PREFERRED_PORT = 1025
HOST = "127.0.0.1"


class _Keeper:
    """aiosmtpd handler: write each message to the folder, named by when it came."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        data = envelope.content if isinstance(envelope.content, bytes) else b""
        (self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(data)
        return "250 Message kept by the Wraparound demo mail catcher"


def _free_port(preferred: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, preferred))
        except OSError:
            probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start(folder: Path, port: int = PREFERRED_PORT) -> Controller:
    """Start catching mail on loopback (port 1025, or any free one); returns the running
    controller (its `.port` is where it listens; `.stop()` ends it)."""
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_Keeper(folder), hostname=HOST, port=_free_port(port))
    controller.start()
    return controller


@dataclass(frozen=True)
class CaughtMail:
    """One caught message, as the demo's mail page lists it."""

    name: str
    to: str
    subject: str
    sent: str
    body: str


def _when(name: str) -> str:
    """ "5 December 2026, 21:30 UTC" from a caught file's name."""
    try:
        moment = datetime.strptime(name[:21], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return ""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def count_caught(folder: Path) -> int:
    """How many messages the catcher has kept in `folder`."""
    return sum(1 for _ in folder.glob("*.eml")) if folder.is_dir() else 0


def caught(folder: Path, limit: int = 100) -> list[CaughtMail]:
    """The newest caught messages first (plain-text part only)."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        part = message.get_body(preferencelist=("plain",))
        found.append(
            CaughtMail(
                name=path.name,
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                sent=_when(path.name),
                body=part.get_content() if part is not None else "",
            )
        )
    return found
