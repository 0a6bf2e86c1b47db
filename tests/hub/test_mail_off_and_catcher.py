"""Without SMTP_HOST e-mail is off: said once at start-up, nothing queued, no job fails. The
demo's mail catcher (a real aiosmtpd on loopback) keeps what it is sent, readable again."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from hub import mail, mail_catcher
from hub.settings import get_settings
from hub.tables import OutboxJob
from tests.support import make_organisation, make_staff, sign_in


@pytest.fixture
def mail_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SMTP_HOST not set, as on a fresh install."""
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_with_no_smtp_host_nothing_is_queued_and_start_up_says_so_once(
    mail_off: None, caplog: pytest.LogCaptureFixture
) -> None:
    assert not get_settings().mail_enabled
    await mail.queue_email("jo@example.org", "Hello", "Body")
    await mail.queue_emails([("pat@example.org", "Hi", "Body")])
    assert await OutboxJob.count() == 0
    await mail.send_email_job(mail.email_payload("jo@example.org", "Queued earlier", "Body"))

    with caplog.at_level(logging.WARNING, logger="hub.mail"):
        mail.announce(get_settings())
    lines = [r.getMessage() for r in caplog.records if r.name == "hub.mail"]
    assert lines == [mail.MAIL_OFF]


def test_configured_mail_is_quiet_at_start_up(caplog: pytest.LogCaptureFixture) -> None:
    assert get_settings().mail_enabled  # the test run sets SMTP_HOST
    with caplog.at_level(logging.WARNING, logger="hub.mail"):
        mail.announce(get_settings())
    assert not [r for r in caplog.records if r.name == "hub.mail"]


async def test_the_catcher_keeps_what_it_is_sent(tmp_path, monkeypatch) -> None:
    catcher = mail_catcher.start(tmp_path / "caught", port=0)
    try:
        monkeypatch.setenv("SMTP_HOST", mail_catcher.HOST)
        monkeypatch.setenv("SMTP_PORT", str(catcher.port))
        get_settings.cache_clear()
        payload = mail.email_payload("jo@example.org", "Your referral", "Housing First replied.")
        await mail.send_email_job(payload)
    finally:
        catcher.stop()
        monkeypatch.undo()
        get_settings.cache_clear()
    [kept] = mail_catcher.caught(tmp_path / "caught")
    assert (kept.to, kept.subject) == ("jo@example.org", "Your referral")
    assert "Housing First replied." in kept.body
    assert kept.sent.endswith("UTC")


async def test_the_demo_mail_page_exists_only_in_the_demo(client, monkeypatch, tmp_path) -> None:
    hub = await make_organisation("Lochee Hub", kind="hub")
    worker = await make_staff(hub)
    await sign_in(client, worker.email)
    assert (await client.get("/demo/mail")).status_code == 404

    (tmp_path / "20261205T101500000000-abcd.eml").write_bytes(
        b"To: jo@example.org\r\nSubject: New referral\r\n\r\nPlease look.\r\n"
    )
    monkeypatch.setenv("DEMO_MAIL_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        page = await client.get("/demo/mail")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert page.status_code == 200
    assert "New referral" in page.text
    assert "Please look." in page.text
