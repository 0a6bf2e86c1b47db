"""Sign-in throttling per account and per network address, shared by every process."""

from __future__ import annotations

from datetime import timedelta

from hub import clock
from hub.errors import TooManyRequests
from hub.settings import get_settings
from hub.tables import SignInAttempt

WINDOW = timedelta(minutes=1)
KEEP = timedelta(days=1)


async def check_allowed(account_key: str, address: str) -> None:
    """Raise TooManyRequests when this account or address failed too often in the last minute."""
    settings = get_settings()
    since = clock.now() - WINDOW
    failed = (SignInAttempt.succeeded == False) & (SignInAttempt.at > since)  # noqa: E712
    by_account = await SignInAttempt.count().where(
        failed & (SignInAttempt.account_key == account_key)
    )
    by_address = await SignInAttempt.count().where(failed & (SignInAttempt.address == address))
    if by_account >= settings.sign_in_account_limit or by_address >= settings.sign_in_address_limit:
        msg = "Too many failed sign-in attempts. Wait a minute, then try again."
        raise TooManyRequests(msg, retry_after=int(WINDOW.total_seconds()))


async def note_attempt(account_key: str, address: str, succeeded: bool) -> None:
    """Record one attempt and forget attempts older than a day."""
    now = clock.now()
    await SignInAttempt.insert(
        SignInAttempt(account_key=account_key, address=address[:64], at=now, succeeded=succeeded)
    )
    await SignInAttempt.delete().where(SignInAttempt.at < now - KEEP)
