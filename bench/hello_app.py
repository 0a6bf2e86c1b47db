"""A hello-world Litestar app: the framework and server alone, to measure the machine by."""

from __future__ import annotations

from litestar import Litestar, get


@get("/", sync_to_thread=False)
def hello() -> str:
    """The smallest answer."""
    return "hello"


app = Litestar(route_handlers=[hello], openapi_config=None)
