"""Sign-in limits that hold under parallel requests and cannot be used to lock everyone out.

An attempt is counted before its password is checked, so forty guesses sent at once get no
more checks than the limit. Behind the reverse proxy, the client's own address is read from
X-Forwarded-For (only when the proxy is trusted), and the per-address limit never refuses a
browser that has signed in to the account before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from hub.settings import get_settings
from hub.tables import AuditEvent
from hub.web.responses import forwarded_client
from tests.consent.fixtures import pooled, shared_app
from tests.support import PASSWORD, csrf_from, make_organisation, make_staff

__all__ = ["pooled"]

PROXY = "10.9.0.2"  # the reverse proxy in front of the app, as docker-compose sets it up


def _browser(peer: str = PROXY) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=shared_app(), client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver.local")


@pytest.fixture
def behind_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app configured to trust the proxy's forwarded-for header."""
    monkeypatch.setenv("TRUSTED_PROXIES", f"{PROXY}/32")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("TRUSTED_PROXIES")
    get_settings.cache_clear()


async def _sign_in(browser: httpx.AsyncClient, email: str, password: str, via: str = "") -> int:
    headers = {"X-Forwarded-For": via} if via else {}
    token = csrf_from((await browser.get("/sign-in", headers=headers)).text)
    response = await browser.post(
        "/sign-in",
        data={"email": email, "password": password, "_csrf_token": token},
        headers=headers,
    )
    return response.status_code


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    proxies = ("10.9.0.0/24",)
    assert forwarded_client("10.9.0.2", "203.0.113.9", proxies) == "203.0.113.9"
    # Whatever the client wrote itself (left of the hop the proxy added) is not believed.
    assert forwarded_client("10.9.0.2", "1.2.3.4, 203.0.113.9", proxies) == "203.0.113.9"
    assert forwarded_client("10.9.0.2", "203.0.113.9, 10.9.0.7", proxies) == "203.0.113.9"
    assert forwarded_client("198.51.100.1", "203.0.113.9", proxies) == "198.51.100.1"
    assert forwarded_client("10.9.0.2", "", proxies) == "10.9.0.2"
    assert forwarded_client("10.9.0.2", "203.0.113.9", ()) == "10.9.0.2"


async def test_forty_parallel_guesses_get_no_more_checks_than_the_limit() -> None:
    organisation = await make_organisation()
    victim = await make_staff(organisation)
    limit = get_settings().sign_in_account_limit
    browsers = [_browser(f"198.51.100.{n}") for n in range(40)]
    tokens = [csrf_from((await b.get("/sign-in")).text) for b in browsers]
    answers = await asyncio.gather(
        *(
            browser.post(
                "/sign-in",
                data={"email": victim.email, "password": f"guess {n}", "_csrf_token": token},
            )
            for n, (browser, token) in enumerate(zip(browsers, tokens, strict=True))
        )
    )
    for browser in browsers:
        await browser.aclose()
    statuses = [answer.status_code for answer in answers]
    checked = await AuditEvent.count().where(AuditEvent.action == "sign_in.failed")
    assert checked <= limit, statuses
    assert statuses.count(422) == checked
    assert statuses.count(429) == 40 - checked
    # The right password is refused too until the minute is up: the account is protected.
    async with _browser("198.51.100.200") as late:
        assert await _sign_in(late, victim.email, PASSWORD) == 429


async def test_an_attack_from_the_proxy_address_locks_nobody_out(behind_proxy) -> None:
    organisation = await make_organisation()
    worker = await make_staff(organisation)
    colleague = await make_staff(organisation)
    attacker_ip, desk_ip, other_ip = "203.0.113.66", "203.0.113.10", "203.0.113.11"
    limit = get_settings().sign_in_address_limit

    async with _browser() as desk:
        # The worker signed in on this browser yesterday: it is a known device for them.
        assert await _sign_in(desk, worker.email, PASSWORD, via=desk_ip) == 303
        await desk.post("/sign-out", data={"_csrf_token": csrf_from((await desk.get("/")).text)})

        # Someone behind the same proxy, and even at the same public address, sprays guesses.
        async with _browser() as attacker:
            answers = [
                await _sign_in(attacker, f"nobody{n}@example.org", "guess", via=attacker_ip)
                for n in range(limit + 5)
            ]
            assert answers[:limit] == [422] * limit
            assert set(answers[limit:]) == {429}
            same_address = [
                await _sign_in(attacker, f"more{n}@example.org", "guess", via=desk_ip)
                for n in range(limit + 1)
            ]
            assert same_address[-1] == 429

        # The worker's own browser still gets in with the right password ...
        assert await _sign_in(desk, worker.email, PASSWORD, via=desk_ip) == 303
    # ... and people at other addresses behind the proxy are not held back at all.
    async with _browser() as elsewhere:
        assert await _sign_in(elsewhere, colleague.email, PASSWORD, via=other_ip) == 303


async def test_a_forged_forwarded_for_does_not_escape_the_address_limit() -> None:
    limit = get_settings().sign_in_address_limit
    async with _browser("198.51.100.77") as attacker:
        answers = [
            await _sign_in(attacker, f"x{n}@example.org", "guess", via=f"192.0.2.{n}")
            for n in range(limit + 2)
        ]
    assert answers[-1] == 429
