"""Fixtures the referral tests share with the hub's: a real SMTP server on loopback."""

from tests.hub.conftest import mailbox  # noqa: F401 - a fixture, used by name
