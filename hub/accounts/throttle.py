"""Sign-in throttling per account and per network address, shared by every process.

An attempt is counted before its password is checked, under a lock per account and per
address, so parallel requests cannot get more checks than the limit. The per-address limit
holds back guesses from an address, not the people behind it: a browser that has signed in to
an account before (a known device) is checked against that account's own limit only, so an
attacker sharing the hub's proxy address cannot lock everyone out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub import clock
from hub.db import lock, named_lock, transaction
from hub.errors import TooManyRequests
from hub.settings import get_settings
from hub.tables import SignInAttempt

WINDOW = timedelta(minutes=1)
KEEP = timedelta(days=1)
_ACCOUNT = named_lock("hub.sign_in.account")
_ADDRESS = named_lock("hub.sign_in.address")
TOO_MANY = "Too many failed sign-in attempts. Wait a minute, then try again."


async def _failures(where: Any) -> int:
    since = clock.now() - WINDOW
    failed = (SignInAttempt.succeeded == False) & (SignInAttempt.at > since)  # noqa: E712
    return int(await SignInAttempt.count().where(failed & where))


async def begin_attempt(account_key: str, address: str, *, known_device: bool = False) -> int:
    """Count one attempt as failed until `finish_attempt` says otherwise; returns its id.

    Raises:
        TooManyRequests: the account, or (for an unknown device) the address, already has
            its limit of failures in the last minute. Nothing is counted then.
    """
    settings = get_settings()
    now = clock.now()
    address = address[:64]
    async with transaction():
        await lock(_ACCOUNT, account_key)
        await lock(_ADDRESS, address)
        by_account = await _failures(SignInAttempt.account_key == account_key)
        over = by_account >= settings.sign_in_account_limit
        if not over and not known_device:
            by_address = await _failures(SignInAttempt.address == address)
            over = by_address >= settings.sign_in_address_limit
        if over:
            raise TooManyRequests(TOO_MANY, retry_after=int(WINDOW.total_seconds()))
        attempt = SignInAttempt(account_key=account_key, address=address, at=now, succeeded=False)
        await SignInAttempt.insert(attempt)
        await SignInAttempt.delete().where(SignInAttempt.at < now - KEEP)
    return int(attempt.id)  # type: ignore[attr-defined]  # Piccolo's implicit serial id


async def finish_attempt(attempt_id: int, succeeded: bool) -> None:
    """Record how a counted attempt ended (only success changes anything)."""
    if succeeded:
        await SignInAttempt.update({SignInAttempt.succeeded: True}).where(
            SignInAttempt._meta.primary_key == attempt_id
        )


async def check_allowed(account_key: str, address: str) -> None:
    """Raise TooManyRequests when this account or address failed too often (no attempt made)."""
    settings = get_settings()
    by_account = await _failures(SignInAttempt.account_key == account_key)
    by_address = await _failures(SignInAttempt.address == address[:64])
    if by_account >= settings.sign_in_account_limit or by_address >= settings.sign_in_address_limit:
        raise TooManyRequests(TOO_MANY, retry_after=int(WINDOW.total_seconds()))


async def note_attempt(account_key: str, address: str, succeeded: bool) -> None:
    """Record one finished attempt (for checks other than a password, such as a portal code)."""
    now = clock.now()
    await SignInAttempt.insert(
        SignInAttempt(account_key=account_key, address=address[:64], at=now, succeeded=succeeded)
    )
