"""The worker's daily backup keeps the newest N, records each try, and the admin page shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub import clock
from hub.accounts.schemas import Principal
from hub.backup_schedule import backup_status, run_daily_backup, until_next_run
from hub.settings import get_settings
from hub.tables import BackupRecord
from tests.support import make_organisation, make_staff, sign_in


@pytest.fixture
def backup_settings(tmp_path, monkeypatch):
    """BACKUP_DIR in a fresh folder, keeping two."""
    folder = tmp_path / "backups"
    monkeypatch.setenv("BACKUP_DIR", str(folder))
    monkeypatch.setenv("BACKUP_KEEP", "2")
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


async def system_admin():
    """A system administrator of the hub."""
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    return await make_staff(hub, is_org_admin=True, is_system_admin=True)


async def test_daily_backups_keep_the_newest_and_are_recorded(backup_settings):
    start = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    for day in range(3):
        clock.freeze(start + timedelta(days=day))
        report = await run_daily_backup()
        assert report is not None
    names = sorted(path.name for path in backup_settings.iterdir())
    assert names == ["wraparound-20261202-020000.backup", "wraparound-20261203-020000.backup"]
    records = await BackupRecord.select().order_by(BackupRecord.made_at)
    assert [row["ok"] for row in records] == [True, True, True]
    assert records[-1]["size"] == (backup_settings / names[-1]).stat().st_size


async def test_the_admin_sees_the_last_good_backup_and_a_stale_or_failed_one_is_flagged(
    backup_settings, client
):
    admin = await system_admin()
    principal_status = await backup_status(await _principal(admin))
    assert principal_status is not None
    assert principal_status.made_at is None
    assert principal_status.stale  # never backed up
    clock.freeze(datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    assert await run_daily_backup() is not None
    fresh = await backup_status(await _principal(admin))
    assert fresh is not None
    assert not fresh.stale
    assert fresh.made_text == "3 December 2026, 02:00"
    await sign_in(client, admin.email)
    home = await client.get("/")
    assert 'id="backups-heading"' in home.text
    assert "Last good backup: 3 December 2026, 02:00" in home.text
    assert "Older than a day" not in home.text

    blocker = backup_settings.parent / "blocked"
    blocker.write_text("a file where the folder should be")
    clock.freeze(datetime(2026, 12, 5, 2, 0, tzinfo=UTC))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKUP_DIR", str(blocker))
        get_settings.cache_clear()
        assert await run_daily_backup() is None
    get_settings.cache_clear()
    failed = await backup_status(await _principal(admin))
    assert failed is not None
    assert failed.stale  # the good one is two days old
    assert "Could not write the backup" in failed.last_failure
    await sign_in(client, admin.email)  # two days on: the earlier session has ended
    home = await client.get("/")
    assert "Older than a day" in home.text
    assert "The last attempt failed" in home.text


async def test_only_system_admins_see_backups(client):
    partner = await make_organisation(name="Housing First")
    admin = await make_staff(partner, is_org_admin=True)
    assert await backup_status(await _principal(admin)) is None
    await sign_in(client, admin.email)
    assert 'id="backups-heading"' not in (await client.get("/")).text


def test_the_next_run_is_at_two_in_the_morning_london_time():
    assert until_next_run(datetime(2026, 12, 5, 1, 0, tzinfo=UTC)) == timedelta(hours=1)
    assert until_next_run(datetime(2026, 7, 5, 1, 30, tzinfo=UTC)) == timedelta(
        hours=23, minutes=30
    )


async def _principal(staff) -> Principal:
    """The staff member as a signed-in principal."""
    return Principal(
        kind="staff",
        id=staff.id,
        name=staff.name,
        session_key="test",
        organisation_id=staff.organisation,
        is_org_admin=staff.is_org_admin,
        is_system_admin=staff.is_system_admin,
    )
