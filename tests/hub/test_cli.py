"""The `wraparound` command, run as a real process against this run's database."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest

from hub import audit
from hub.accounts.signin import sign_in_staff
from hub.audit import Actor
from hub.db import raw, transaction
from hub.errors import Invalid
from hub.tables import Organisation, Staff, UserSession
from tests.conftest import ON_POSTGRES

Wraparound = Callable[..., subprocess.CompletedProcess[str]]
ADMIN_PASSWORD = "a long and unguessable passphrase"


async def write_trail(count: int) -> None:
    """Append `count` events."""
    for n in range(count):
        await audit.record("test.event", Actor.system(), detail={"n": n})


async def tamper(sql: str) -> None:
    """Change the trail behind the app's back (on PostgreSQL, getting past its trigger)."""
    async with transaction():
        if ON_POSTGRES:
            await raw("SET LOCAL session_replication_role = replica")
        await raw(sql)


async def test_audit_verify_says_an_intact_trail_is_intact(wraparound: Wraparound) -> None:
    await write_trail(4)

    result = wraparound("audit", "verify")

    assert result.returncode == 0, result.stderr
    assert "Audit trail intact: 4 events checked." in result.stdout


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE audit_event SET detail = '{\"n\":99}' WHERE seq = 3",
        "DELETE FROM audit_event WHERE seq = 3",
    ],
    ids=["edited", "deleted"],
)
async def test_audit_verify_fails_and_names_the_broken_event(
    wraparound: Wraparound, change: str
) -> None:
    await write_trail(5)
    await tamper(change)

    result = wraparound("audit", "verify")

    assert result.returncode == 1
    assert "Audit trail BROKEN at event 3" in result.stderr
    assert "(2 events before it are intact)" in result.stderr


async def test_migrate_can_run_again_and_keeps_the_data(wraparound: Wraparound) -> None:
    await write_trail(2)

    for _ in range(2):
        result = wraparound("migrate")
        assert result.returncode == 0, result.stderr
        assert "Database is up to date." in result.stdout

    verified = await audit.verify()
    assert (verified.ok, verified.checked) == (True, 2)


async def test_create_admin_reads_the_password_from_stdin_and_can_sign_in(
    wraparound: Wraparound,
) -> None:
    result = wraparound(
        "create-admin",
        "--email",
        "Admin@Example.org",
        "--name",
        "Ali Admin",
        "--organisation",
        "Test Hub",
        stdin=ADMIN_PASSWORD + "\n",
    )

    assert result.returncode == 0, result.stderr
    assert "Admin@Example.org is a system administrator." in result.stdout
    admin = await Staff.select().where(Staff.email == "admin@example.org").first()
    assert admin is not None
    assert (admin["name"], admin["is_system_admin"], admin["active"]) == ("Ali Admin", True, True)
    organisation = await Organisation.select().where(Organisation.id == admin["organisation"])
    assert [(row["name"], row["kind"]) for row in organisation] == [("Test Hub", "hub")]

    token = await sign_in_staff("admin@example.org", ADMIN_PASSWORD, "127.0.0.1")
    assert token
    assert await UserSession.count().where(UserSession.principal_id == admin["id"]) == 1
    with pytest.raises(Invalid):
        await sign_in_staff("admin@example.org", ADMIN_PASSWORD + "!", "127.0.0.1")


async def test_create_admin_refuses_a_short_password(wraparound: Wraparound) -> None:
    result = wraparound(
        "create-admin", "--email", "admin@example.org", "--name", "Ali Admin", stdin="short\n"
    )

    assert result.returncode != 0
    assert "Password must be at least" in result.stderr
    assert await Staff.count() == 0
