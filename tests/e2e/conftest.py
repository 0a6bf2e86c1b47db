"""Browser tests: a real Debian Chromium (through Playwright) against a real Granian server.

The server is `wraparound serve` in a subprocess, once per run, on the same database as the
test run (tests/conftest.py has settled DATABASE_URL by now). Each test seeds what it needs
with tests/support.py: the parent conftest empties every table before each test.

Without /usr/bin/chromium these tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    async_playwright,
)

from hub.settings import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
E2E_DIR = Path(__file__).resolve().parent
SERVER_START_SECONDS = 30.0
HUB_PHONE = "01632 960 123"
"""The hub's phone number the test server prints on every page (a drama number)."""
ON_CI = os.environ.get("CI") == "true"
MISSING_CHROMIUM = (
    f"{CHROMIUM} is missing: install Debian's Chromium "
    "(apt-get install -y chromium) to run the browser tests"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here `browser`; skip them all when there is no Chromium (not on CI)."""
    skip = pytest.mark.skip(reason=MISSING_CHROMIUM)
    for item in items:
        if E2E_DIR not in item.path.resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if not CHROMIUM.exists() and not ON_CI:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wraparound_command() -> Path:
    beside_python = Path(sys.executable).with_name("wraparound")
    return beside_python if beside_python.exists() else ROOT / ".venv" / "bin" / "wraparound"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def server_url(migrated: None) -> Iterator[str]:
    """A real `wraparound serve` (Granian) on a free port, sharing this run's database."""
    port = _free_port()
    env = {
        **os.environ,
        "WORKER_IN_PROCESS": "false",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_WORKERS": "1",
        "HUB_PHONE": HUB_PHONE,
    }
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the server's lifetime
        prefix="wraparound-e2e-server-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [str(_wraparound_command()), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, url, Path(log.name))
        yield url
    finally:
        _stop(process)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"wraparound serve exited with {process.returncode} before it was healthy:\n"
                + log.read_text(errors="replace")[-4000:]
            )
        try:
            response = httpx.get(f"{url}/healthz", timeout=2)
        except httpx.HTTPError as exc:
            last = repr(exc)
        else:
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        time.sleep(0.1)
    _stop(process)
    pytest.fail(
        f"wraparound serve was not healthy within {SERVER_START_SECONDS:.0f}s ({last}):\n"
        + log.read_text(errors="replace")[-4000:]
    )


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    """Playwright's driver, once per run."""
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    """Debian's headless Chromium, once per run (missing: skipped, or failed under CI=true)."""
    if not CHROMIUM.exists():
        if ON_CI:
            pytest.fail(f"CI=true but {MISSING_CHROMIUM}", pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    chromium = await playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    await chromium.close()


@dataclass
class PageProblems:
    """What went wrong underneath a page: console errors (CSP included), failed requests."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        """Start recording `page`'s problems."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"pageerror: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        # A 4xx page is often deliberate (422 for a form with errors); the response check
        # below catches any asset that failed, so Chromium's own note on it is not needed.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def _on_request_failed(self, request: Request) -> None:
        # Leaving a page cancels what it was still loading; that is not a fault.
        if request.failure != "net::ERR_ABORTED":
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def _on_response(self, response: Response) -> None:
        # Pages may answer 4xx on purpose (422 for a form with errors); their assets may not.
        if response.request.resource_type != "document" and response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")


async def new_context(browser: Browser, base_url: str, **options: Any) -> BrowserContext:
    """A fresh, signed-out browser profile aimed at the test server."""
    context = await browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
async def context(browser: Browser, server_url: str) -> AsyncIterator[BrowserContext]:
    """A desktop browser profile, fresh for each test."""
    profile = await new_context(browser, server_url, viewport={"width": 1280, "height": 900})
    yield profile
    await profile.close()


@pytest.fixture
async def page(context: BrowserContext) -> AsyncIterator[Page]:
    """A tab that fails the test if any script, style or request on it went wrong."""
    tab = await context.new_page()
    problems = PageProblems()
    problems.watch(tab)
    yield tab
    assert not problems.console_errors, f"console errors: {problems.console_errors}"
    assert not problems.failed_requests, f"failed requests: {problems.failed_requests}"
