"""Passwords are hashed at argon2id's recommended cost; only the test suite runs cheap."""

from __future__ import annotations

import pytest

from hub.accounts import passwords
from hub.settings import get_settings


@pytest.fixture
def fresh_hasher():
    passwords._argon2.cache_clear()
    get_settings.cache_clear()
    yield
    passwords._argon2.cache_clear()
    get_settings.cache_clear()


@pytest.mark.parametrize("environment", ["production", "development"])
async def test_real_installs_hash_at_the_recommended_cost(
    monkeypatch: pytest.MonkeyPatch, fresh_hasher: None, environment: str
) -> None:
    monkeypatch.setenv("WRAPAROUND_ENV", environment)
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-key-" + "y" * 32)
    hashed = await passwords.hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert await passwords.verify_password(hashed, "correct horse battery staple")
    assert not await passwords.verify_password(hashed, "wrong horse battery staple")
    # A missing account is checked against a hash of the same cost, so timing does not tell.
    assert passwords._argon2()[1].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not await passwords.verify_password(None, "correct horse battery staple")


async def test_the_suite_hashes_cheaply(fresh_hasher: None) -> None:
    assert (await passwords.hash_password("correct horse battery")).startswith(
        "$argon2id$v=19$m=8,t=1,p=1$"
    )
