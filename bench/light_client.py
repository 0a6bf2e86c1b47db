"""A light HTTP client for the load benches: one browser session on aiohttp.

The benches run the client on the same two cores as the server. httpx spent about 1 ms of
CPU on each hello-world request and over 2 ms on each referral move, a quarter of the
machine; aiohttp does the same work for a fraction of that, so the figures measure the
server. It keeps cookies (the session), never follows redirects, and answers with the
status, headers and body that the benches read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FormValue = str | int | Sequence[str]


@dataclass(frozen=True)
class Answer:
    """What the server answered: status, headers and the body as text."""

    status_code: int
    headers: Mapping[str, str]
    text: str


def _pairs(data: Mapping[str, FormValue]) -> list[tuple[str, str]]:
    """A form as name and value pairs; a list becomes one pair per item, as a browser sends."""
    pairs: list[tuple[str, str]] = []
    for name, value in data.items():
        if isinstance(value, str | int):
            pairs.append((name, str(value)))
        else:
            pairs.extend((name, str(item)) for item in value)
    return pairs


class Session:
    """One signed-in browser: its cookies kept between requests to `base`."""

    def __init__(self, base: str, timeout: float = 120) -> None:
        import aiohttp

        self._base = base.rstrip("/")
        self._http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # keep cookies set by 127.0.0.1
            timeout=aiohttp.ClientTimeout(total=timeout),
        )

    async def _send(self, method: str, path: str, **options: Any) -> Answer:
        async with self._http.request(
            method, self._base + path, allow_redirects=False, **options
        ) as response:
            return Answer(response.status, response.headers, await response.text())

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Answer:
        """GET `path`."""
        return await self._send("GET", path, params=params)

    async def post(self, path: str, data: Mapping[str, FormValue]) -> Answer:
        """POST `data` to `path` as a form (application/x-www-form-urlencoded)."""
        return await self._send("POST", path, data=_pairs(data))

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.close()
