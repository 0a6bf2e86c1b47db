"""`wraparound demo --serve` (what `make demo` runs) from nothing: it starts a real aiosmtpd
mail catcher on loopback, the notifications it sends land there (folder and /demo/mail), and
the log has no e-mail failure."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from hub.settings import ROOT
from tests.e2e.conftest import _free_port, _stop, _wraparound_command, new_context
from tests.e2e.helpers import assert_accessible, sign_in_staff

PASSWORD = "demo-password-for-tests"
WAIT_SECONDS = 90.0
SHOWN = 100  # the page lists the newest hundred


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """A demo started the way `make demo` starts it, on its own SQLite file and var folder."""
    var = tmp_path_factory.mktemp("demo-var")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "DEMO_MAIL"))}
    env |= {
        "WRAPAROUND_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'demo.sqlite'}",
        "PORT": str(port),
        "WORKER_IN_PROCESS": "true",
        "WORKER_POLL_SECONDS": "0.5",
        "DEMO_PASSWORD": PASSWORD,
    }
    log = var / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(_wraparound_command()), "demo", "--serve"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    folder = var / "demo-mail"
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200 and any(
                    folder.glob("*.eml")
                ):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("the demo did not start and send mail:\n" + log.read_text()[-3000:])
        yield url, folder, log
    finally:
        _stop(process)


def test_the_demo_catches_its_mail_and_logs_no_failure(demo: tuple[str, Path, Path]) -> None:
    _, folder, log = demo
    time.sleep(3)  # let the worker finish what it found at start
    text = log.read_text(errors="replace")
    assert "Mail catcher on 127.0.0.1:" in text
    assert str(folder) in text
    assert "failed" not in text.lower(), text[-3000:]
    assert "E-mail is off" not in text
    first = next(iter(sorted(folder.glob("*.eml"))))
    assert b"Subject:" in first.read_bytes()


@pytest.mark.parametrize("width", [360, 1280])
async def test_staff_read_the_caught_mail_on_a_page(
    browser: Browser, demo: tuple[str, Path, Path], width: int
) -> None:
    url, folder, _ = demo
    context = await new_context(browser, url, viewport={"width": width, "height": 800})
    try:
        page = await context.new_page()
        await sign_in_staff(page, "worker@housing-first.example", PASSWORD)
        if width < 641:
            await page.get_by_role("button", name="Menu").click()
        # The demo's worker may still be sending: the page lists what was caught when it
        # was asked for, so between what was there before and what is there after.
        before = len(list(folder.glob("*.eml")))
        await page.get_by_role("link", name="Demo e-mail").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("E-mail the demo sent")
        await expect(page.locator("main")).to_contain_text(str(folder))
        messages = page.locator("details")
        after = len(list(folder.glob("*.eml")))
        assert min(before, SHOWN) <= await messages.count() <= min(after, SHOWN)
        assert before > 0
        if before > SHOWN:
            await expect(page.locator("main")).to_contain_text(f"Showing the newest {SHOWN} of")
        await messages.first.locator("summary").click()
        await expect(messages.first.locator(".govuk-details__text")).to_be_visible()
        await assert_accessible(page)
    finally:
        await context.close()
