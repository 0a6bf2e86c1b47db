"""Password hashing with argon2id, and the rules a new password must meet."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.errors import Invalid

MIN_LENGTH = 12
_hasher = PasswordHasher()  # argon2id with the library's recommended cost
# Checked against when the account does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("wraparound-no-such-account")


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    """An argon2id hash of `password`, computed off the event loop (it takes ~0.1 s on purpose)."""
    return await asyncio.to_thread(_hasher.hash, password)


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
