"""A small Open Referral UK feed on a real loopback HTTP server, serving pages tests write."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FeedServer:
    """Answers `/services?page=N` and `/services/{id}` from `pages` (lists of services).

    Faults on demand: `status` answers every request with that status; `page_status` and
    `raw_pages` answer one page with a status or with raw bytes; `slow_pages` answer one page
    only after that many seconds; `loops` claims a million pages and serves the same ones
    round and round. `modified_after` is honoured for
    services that carry a `last_modified`.
    """

    def __init__(self) -> None:
        self.pages: list[list[dict[str, Any]]] = [[]]
        self.status = 200
        self.page_status: dict[int, int] = {}
        self.raw_pages: dict[int, bytes] = {}
        self.slow_pages: dict[int, float] = {}
        self.loops = False
        self.requests: list[str] = []
        self.url = ""

    def page(self, number: int) -> dict[str, Any]:
        """One page of the `/services` list, as ORUK shapes it."""
        if self.loops:
            index = (max(number, 1) - 1) % len(self.pages)
            return {"total_pages": 1_000_000, "page_number": number, "contents": self.pages[index]}
        index = min(max(number, 1), len(self.pages)) - 1
        return {
            "total_items": sum(len(page) for page in self.pages),
            "total_pages": len(self.pages),
            "page_number": index + 1,
            "size": len(self.pages[index]),
            "first_page": index == 0,
            "last_page": index == len(self.pages) - 1,
            "empty": not self.pages[index],
            "contents": self.pages[index],
        }

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        """(status, JSON body, or bytes to send as they are) for one GET."""
        if self.status != 200:
            return self.status, {"title": "Server error"}
        if path == "":
            return 200, {"version": "3.0", "profile": "https://openreferraluk.org/"}
        if path == "/services":
            number = int(query.get("page", ["1"])[0])
            if number in self.page_status:
                return self.page_status[number], {"title": "Server error"}
            if number in self.slow_pages:
                time.sleep(self.slow_pages[number])  # this request's own server thread
            if number in self.raw_pages:
                return 200, self.raw_pages[number]
            answer = self.page(number)
            if "modified_after" in query:  # ORUK: only services changed since (ISO times sort)
                since = query["modified_after"][0]
                answer["contents"] = [
                    item
                    for item in answer["contents"]
                    if item.get("last_modified", "9999") > since  # no date: always sent
                ]
            return 200, answer
        for page in self.pages:
            for service in page:
                if path == f"/services/{service.get('id')}":
                    return 200, service
        return 404, {"title": "Not found"}


def _handler(feed: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            feed.requests.append(self.path)
            status, body = feed.answer(parts.path.rstrip("/"), parse_qs(parts.query))
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serve_feed() -> Iterator[FeedServer]:
    """A FeedServer listening on 127.0.0.1 (a free port) until the block ends."""
    feed = FeedServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(feed))
    feed.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield feed
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
