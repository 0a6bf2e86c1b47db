"""Password hashing with argon2id, and the rules a new password must meet."""

from __future__ import annotations

import asyncio
import functools

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from hub.errors import Invalid
from hub.settings import get_settings

MIN_LENGTH = 12


@functools.cache
def _argon2() -> tuple[PasswordHasher, str]:
    """The hasher and a hash to check against when the account does not exist (so timing
    does not tell). argon2id at the library's recommended cost; its cheapest only when
    WRAPAROUND_ENV=test, where the suite signs in thousands of times."""
    test_run = get_settings().environment == "test"
    hasher = PasswordHasher.from_parameters(
        profiles.CHEAPEST if test_run else profiles.RFC_9106_LOW_MEMORY
    )
    return hasher, hasher.hash("wraparound-no-such-account")


def _verify(password_hash: str | None, password: str) -> bool:
    hasher, dummy = _argon2()
    try:
        return hasher.verify(password_hash or dummy, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    """An argon2id hash of `password`, computed off the event loop (it takes ~0.1 s on purpose)."""
    return await asyncio.to_thread(_argon2()[0].hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; as slow for a missing account as for a real one."""
    return await asyncio.to_thread(_verify, password_hash, password)


def check_new_password(password: str, confirm: str, field: str = "password") -> None:
    """Raise Invalid unless the new password is long enough and typed the same twice."""
    if len(password) < MIN_LENGTH:
        msg = f"Password must be at least {MIN_LENGTH} characters"
        raise Invalid(msg, {field: msg})
    if len(password) > 256:
        msg = "Password must be 256 characters or fewer"
        raise Invalid(msg, {field: msg})
    if password != confirm:
        msg = "The passwords do not match"
        raise Invalid(msg, {f"{field}_confirm": msg})
