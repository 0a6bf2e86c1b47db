"""Where an import reads from: a feed URL, a JSON file, a CSV datapackage or a plain CSV.

A feed (an ORUK / HSDS API) is walked page by page from `/services`; list items that are not
fully nested are fetched from `/services/{id}`. JSON files may hold one service, a list of
services, a page of them, or an organisation with its services; a service-at-location is read
as its service at that location. Each service is read once: repeats of an id are skipped and
counted in one warning.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import msgspec

from directory.exchange import list_reader
from directory.exchange.datapackage_in import Datapackage
from directory.exchange.fields import FieldReader
from directory.exchange.hsds_in import Candidate, read_organisation, read_service
from directory.exchange.list_reader import as_service, where_of
from directory.exchange.plain_csv import count_rows, read_plain_csv
from directory.exchange.problems import STOPPED, Problem
from directory.openreferral.info import OrganisationInfo
from hub.errors import Invalid

NESTED_KEYS = ("service_at_locations", "schedules", "phones", "contacts", "attributes")
MAX_PAGES = 10_000
MAX_PAGE_ITEMS = 10_000  # services on one page of a feed (ORUK pages hold tens to hundreds)
FETCHES_AT_ONCE = 8
RETRIES = 3
MAX_PAGE_BYTES = 50_000_000  # one answer from a feed
MAX_DOCUMENT = 100_000_000  # bytes: a JSON file that is not a list is read whole


@dataclass
class Source:
    """Candidates to import, how many are expected (None: unknown) and what to call the source.

    A streamed file has no count: `size` and `position()` (bytes) show how far it has got.
    """

    label: str
    total: int | None
    candidates: AsyncIterator[Candidate]
    size: int | None = None
    position: Callable[[], int] | None = None


class Repeats:
    """Listing ids already read, and how many repeats were skipped."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.count = 0

    def first(self, key: str) -> bool:
        """True the first time `key` is met (and always for a listing with no id)."""
        if not key:
            return True
        if key in self.keys:
            self.count += 1
            return False
        self.keys.add(key)
        return True


async def _once(
    candidates: AsyncIterator[Candidate], label: str, repeats: Repeats | None = None
) -> AsyncIterator[Candidate]:
    """Each listing id once; repeats are skipped and reported in one warning at the end."""
    repeats = repeats or Repeats()
    last: Candidate | None = None
    async for candidate in candidates:
        if not repeats.first(candidate.key):
            continue
        if last is not None:
            yield last
        last = candidate
    if last is not None:
        if repeats.count:
            note = f"{repeats.count} repeated listing(s) skipped: each service id is read once"
            last.warnings.append(Problem(label, "id", note))
        yield last


def _from_document(
    body: Any, label: str
) -> tuple[list[tuple[Any, OrganisationInfo | None]], list[Problem]]:
    """The service objects a JSON document holds (with a parent organisation when nested)."""
    notes: list[Problem] = []
    if isinstance(body, list):
        return [(as_service(item), None) for item in body], notes
    if isinstance(body, dict) and isinstance(body.get("contents"), list):
        if (body.get("total_pages") or 1) > 1:
            pages = body["total_pages"]
            notes.append(Problem(label, "", f"one page of {pages}; import the feed's URL for all"))
        return [(as_service(item), None) for item in body["contents"]], notes
    if isinstance(body, dict) and isinstance(body.get("services"), list):
        reader = FieldReader(label)
        parent = read_organisation(reader, body, "")
        notes.extend(reader.errors + reader.warnings)
        return [(item, parent) for item in body["services"]], notes
    if isinstance(body, dict) and "id" in body:
        return [(as_service(body), None)], notes
    msg = f"{label} holds no services (expected a service, a list, a page or an organisation)"
    raise Invalid(msg)


def _first_byte(path: Path) -> bytes:
    """The first byte that is not white space or a byte-order mark."""
    with path.open("rb") as file:
        start = file.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    return start[:1]


def json_file(path: Path) -> Source:
    """A JSON file of services: a list is read item by item (any size, memory flat); a single
    service, page or organisation is read whole, up to MAX_DOCUMENT bytes."""
    if _first_byte(path) == b"[":
        return _json_list(path)
    if path.stat().st_size > MAX_DOCUMENT:
        msg = (
            f"{path.name} is over {MAX_DOCUMENT // 1_000_000} MB and not a list of services: "
            "publish large feeds as a JSON list (or import the feed's URL)"
        )
        raise Invalid(msg)
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, if any
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        msg = f"{path.name} is not JSON: {exc}"
        raise Invalid(msg) from exc
    items, notes = _from_document(body, path.name)

    async def candidates() -> AsyncIterator[Candidate]:
        for index, (item, parent) in enumerate(items, start=1):
            candidate = read_service(item, where_of(path.name, index, item), parent)
            if index == 1:
                candidate.warnings.extend(notes)
            yield candidate

    return Source(path.name, len(items), _once(candidates(), path.name))


def _json_list(path: Path) -> Source:
    """A JSON list of services, streamed: a few services in memory at a time.

    A large file is parsed in a process of its own, beside the writes (a third of the work).
    """
    size = path.stat().st_size
    reader = list_reader.ListReader(path, in_process=size < list_reader.OWN_PROCESS_FROM)
    source = Source(path.name, None, _once(reader.candidates(), path.name), size=size)
    source.position = reader.position
    return source


def datapackage(folder: Path) -> Source:
    """An HSDS CSV datapackage folder."""
    package = Datapackage(folder)

    async def candidates() -> AsyncIterator[Candidate]:
        for row in package.services:
            yield read_service(package.service(row), str(row["_where"]))

    return Source(folder.name, len(package.services), _once(candidates(), folder.name))


def plain_csv(path: Path) -> Source:
    """A plain CSV of services (see directory.exchange.plain_csv)."""
    return Source(path.name, count_rows(path), _once(read_plain_csv(path), path.name))


async def _get_json(client: httpx.AsyncClient, url: str) -> Any:
    """GET JSON, waiting and retrying when the feed says it is too busy (429).

    Raises:
        httpx.HTTPError: the feed did not answer, or answered an error.
        ValueError: the answer is not JSON, is nested too deeply or is over MAX_PAGE_BYTES.
    """
    for attempt in range(RETRIES + 1):
        async with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
            if response.status_code == 429 and attempt < RETRIES:
                wait = response.headers.get("Retry-After", "")
                await asyncio.sleep(min(30, int(wait)) if wait.isdigit() else 2 ** (attempt + 1))
                continue
            response.raise_for_status()
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_PAGE_BYTES:
                    msg = f"the answer is over {MAX_PAGE_BYTES // 1_000_000} MB; not read"
                    raise ValueError(msg)
        try:
            return msgspec.json.decode(bytes(body).removeprefix(b"\xef\xbb\xbf"))
        except (msgspec.DecodeError, RecursionError) as exc:
            msg = f"the answer is not JSON we can read ({exc})"
            raise ValueError(msg) from exc
    return None  # pragma: no cover - the loop always returns or raises


async def _first_json(client: httpx.AsyncClient, url: str) -> Any:
    """`_get_json` for the feed's first answer: failing, the import stops with a message."""
    try:
        return await _get_json(client, url)
    except (httpx.HTTPError, ValueError) as exc:
        msg = f"could not read the feed at {url}: {exc or type(exc).__name__}"
        raise Invalid(msg) from exc


def _with_param(url: str, name: str, value: str) -> str:
    """The URL with `name` set to `value` in its query (replacing any)."""
    parts = urlsplit(url)
    query = [(key, kept) for key, kept in parse_qsl(parts.query) if key != name]
    return urlunsplit(parts._replace(query=urlencode([*query, (name, value)])))


def _with_page(url: str, page: int) -> str:
    return _with_param(url, "page", str(page))


async def _detail(client: httpx.AsyncClient, base: str, item: Any, where: str) -> Candidate:
    """The full service for a list item, fetched when the item is not fully nested."""
    if not isinstance(item, dict) or any(key in item for key in NESTED_KEYS) or "id" not in item:
        return read_service(item, where)
    url = f"{base}/services/{item['id']}"
    try:
        detail = await _get_json(client, url)
    except (httpx.HTTPError, ValueError) as exc:
        problem = Problem(where, "", f"could not fetch {url}: {exc}")
        return Candidate(where=where, key=str(item["id"]), errors=[problem])
    if not isinstance(detail, dict) or str(detail.get("id")) != str(item["id"]):
        problem = Problem(where, "id", f"{url} answered another service")
        return Candidate(where=where, key=str(item["id"]), errors=[problem])
    return read_service(detail, where)


def _stop(page: int, note: str) -> Candidate:
    """The candidate that ends a feed's walk early: nothing is hidden after it."""
    return Candidate(where=f"page {page}", errors=[Problem(f"page {page}", "", note, STOPPED)])


async def _list_answer(
    url: str, client: httpx.AsyncClient, modified_after: datetime | None
) -> tuple[Any, str]:
    """(the first answer to read services from, the URL of the services list)."""
    body = await _first_json(client, url)
    if isinstance(body, dict) and "version" in body and "contents" not in body and "id" not in body:
        list_url = url.rstrip("/") + "/services"
        body = None if modified_after else await _first_json(client, list_url)
    else:
        list_url = url
    if modified_after is not None:
        stamp = modified_after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        list_url = _with_param(list_url, "modified_after", stamp)
        body = await _first_json(client, list_url)
    return body, list_url


def _document_source(body: Any, url: str) -> Source:
    """A JSON document at a URL (one service, a list, an organisation with its services)."""
    items, notes = _from_document(body, url)

    async def document() -> AsyncIterator[Candidate]:
        for index, (item, parent) in enumerate(items, start=1):
            candidate = read_service(item, where_of(url, index, item), parent)
            candidate.warnings.extend(notes if index == 1 else [])
            yield candidate

    return Source(url, len(items), _once(document(), url))


def _unlisted(page: dict[str, Any], listed: set[str], repeats: Repeats) -> list[Any]:
    """The page's items not listed on an earlier page (repeats are counted, not fetched)."""
    items = []
    for item in page.get("contents") or []:
        item_id = str(item.get("id", "")) if isinstance(item, dict) else ""
        if item_id and item_id in listed:
            repeats.count += 1
            continue
        listed.add(item_id)
        items.append(item)
    return items


def _is_last(page: dict[str, Any], number: int) -> bool:
    last = page.get("last_page") is True or number >= int(page.get("total_pages") or number)
    return last or not page.get("contents") or number >= MAX_PAGES


async def _walk_pages(
    client: httpx.AsyncClient, first: dict[str, Any], list_url: str, repeats: Repeats
) -> AsyncIterator[Candidate]:
    """Every service of every page, in order; a fault ends the walk with a STOPPED problem."""
    path = urlsplit(list_url).path
    base = list_url[: list_url.rfind("/services")] if path.rstrip("/").endswith("/services") else ""
    listed: set[str] = set()
    number, current = int(first.get("page_number") or 1), first
    gate = asyncio.Semaphore(FETCHES_AT_ONCE)

    async def one(item: Any, where: str) -> Candidate:
        async with gate:
            return await _detail(client, base, item, where) if base else read_service(item, where)

    while True:
        if len(current.get("contents") or []) > MAX_PAGE_ITEMS:
            count = len(current["contents"])
            yield _stop(
                number,
                f"page {number} lists {count:,} services, more than "
                f"{MAX_PAGE_ITEMS:,} a page: not read; stopped there",
            )
            return
        items = _unlisted(current, listed, repeats)
        if current.get("contents") and not items:
            yield _stop(
                number, f"page {number} only repeats earlier pages: the feed loops; stopped there"
            )
            return
        wheres = [where_of(f"page {number}", n, item) for n, item in enumerate(items, start=1)]
        for candidate in await asyncio.gather(*map(one, items, wheres)):
            yield candidate
        if _is_last(current, number):
            return
        number += 1
        try:
            current = await _get_json(client, _with_page(list_url, number))
        except (httpx.HTTPError, ValueError) as exc:
            why = str(exc) or type(exc).__name__
            yield _stop(number, f"could not fetch {list_url}: {why}")
            return
        if not isinstance(current, dict) or not isinstance(current.get("contents"), list):
            yield _stop(number, f"page {number} is not a page of services; stopped there")
            return


async def feed(
    url: str, client: httpx.AsyncClient, modified_after: datetime | None = None
) -> Source:
    """An ORUK / HSDS API: its root, its `/services` list, or a JSON document at a URL.

    With `modified_after`, the list asks only for services changed since (ORUK's parameter;
    a feed that ignores it sends them all, which changes nothing).
    """
    body, list_url = await _list_answer(url, client, modified_after)
    if not (isinstance(body, dict) and isinstance(body.get("contents"), list)):
        return _document_source(body, url)
    repeats = Repeats()
    total = body.get("total_items")
    return Source(
        url,
        total if isinstance(total, int) else None,
        _once(_walk_pages(client, body, list_url, repeats), url, repeats),
    )


async def open_source(
    spec: str, client: httpx.AsyncClient, modified_after: datetime | None = None
) -> Source:
    """The source `spec` names: an http(s) URL, a folder or datapackage.json, a .csv or .json.

    `client` fetches URLs; the caller keeps it open until the candidates are read.

    Raises:
        Invalid: the file or folder is missing or of a kind we cannot read.
    """
    if spec.startswith(("http://", "https://")):
        return await feed(spec, client, modified_after)
    return local_source(Path(spec))


def local_source(path: Path) -> Source:
    """A file or folder to import (see `open_source`)."""
    spec = str(path)
    if path.name == "datapackage.json" or path.is_dir():
        return datapackage(path.parent if path.name == "datapackage.json" else path)
    if not path.is_file():
        msg = f"{spec}: no such file or folder"
        raise Invalid(msg)
    if path.suffix.lower() == ".csv":
        return plain_csv(path)
    if path.suffix.lower() == ".json":
        return json_file(path)
    msg = f"{spec}: import reads a URL, a folder (CSV datapackage), a .json or a .csv file"
    raise Invalid(msg)


def http_client() -> httpx.AsyncClient:
    """The HTTP client imports use: a timeout, redirects followed, saying who we are."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(30.0),
        follow_redirects=True,
        headers={"User-Agent": "Wraparound directory import"},
    )
