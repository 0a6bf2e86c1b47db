"""Fixtures for the shared core: a real SMTP server, and running `wraparound` as a process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller

from hub.settings import get_settings

WRAPAROUND = Path(sys.executable).parent / "wraparound"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def process_env(**overrides: str | None) -> dict[str, str]:
    """This test run's environment (its database, var dir, secret key) with changes; None unsets."""
    env = dict(os.environ)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.envelopes: list[Any] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd hook: keep the message."""
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        """Listen (again) on this mailbox's port."""
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening: connections are refused, as when the mail server is down."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message received, parsed (with the wire's CRLF line ends made plain)."""
        return [
            cast(
                EmailMessage,
                message_from_bytes(envelope.content.replace(b"\r\n", b"\n"), policy=policy.default),
            )
            for envelope in self.envelopes
        ]


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A running SMTP server that the app's settings (SMTP_HOST, SMTP_PORT) point at."""
    box = Mailbox(free_port())
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(box.port))
    monkeypatch.setenv("SMTP_TLS", "none")
    get_settings.cache_clear()
    box.start()
    yield box
    box.stop()
    # Settings are read again, from the restored environment, by the next test that needs them.
    get_settings.cache_clear()


@pytest.fixture
def wraparound() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `wraparound` command against this run's database, bounded in time.

    It runs in a new session, with no controlling terminal, so `getpass` reads stdin.
    """

    def run(
        *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(WRAPAROUND), *args],
            input=stdin,
            env=env or process_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            start_new_session=True,
            check=False,
        )

    return run
