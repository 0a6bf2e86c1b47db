"""GET /healthz: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from piccolo.engine.postgres import PostgresEngine

from tests.conftest import ON_POSTGRES
from tests.hub.conftest import WRAPAROUND, free_port, process_env

UNREACHABLE_POSTGRES = "postgres://postgres@127.0.0.1:1/none"


async def test_healthz_is_ok_while_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.filterwarnings("ignore:.*Unable to connect to database")
async def test_healthz_is_503_when_the_database_is_unreachable(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import piccolo_conf

    monkeypatch.setattr(
        piccolo_conf, "DB", PostgresEngine(config={"dsn": UNREACHABLE_POSTGRES}, extensions=())
    )

    response = await client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server, until cut (as if the network to it failed)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()
        self._server = None

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self._writers += [writer, upstream_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


@contextlib.asynccontextmanager
async def database_that_can_vanish(
    tmp_path: Path,
) -> AsyncIterator[tuple[str, Callable[[], Awaitable[None]]]]:
    """A database URL for another process, and how to make that database unreachable."""
    if ON_POSTGRES:
        url = urlsplit(os.environ["DATABASE_URL"])
        proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 5432)
        await proxy.start()
        netloc = url.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{proxy.port}"
        try:
            yield urlunsplit(url._replace(netloc=netloc)), proxy.cut
        finally:
            await proxy.cut()
        return

    directory = tmp_path / "database"
    directory.mkdir()

    async def remove() -> None:
        shutil.rmtree(directory)

    yield f"sqlite:///{directory / 'health.sqlite'}", remove


async def healthz_once_up(base_url: str, server: asyncio.subprocess.Process) -> httpx.Response:
    """GET /healthz as soon as the server answers (at most 30 seconds)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        for _ in range(300):
            if server.returncode is not None:
                break
            with contextlib.suppress(httpx.TransportError):
                return await http.get("/healthz")
            await asyncio.sleep(0.1)
    pytest.fail(f"the server never answered (exit code {server.returncode})")


async def test_a_running_server_reports_503_once_its_database_goes_away(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    async with database_that_can_vanish(tmp_path) as (database_url, vanish):
        server = await asyncio.create_subprocess_exec(
            str(WRAPAROUND),
            "serve",
            "--port",
            str(port),
            env=process_env(DATABASE_URL=database_url, WORKER_IN_PROCESS="false"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            before = await healthz_once_up(base_url, server)
            await vanish()
            async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
                after = await http.get("/healthz")
        finally:
            # Granian runs its workers as children: stop the whole group this test started.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(server.wait(), timeout=15)
            except TimeoutError:
                os.killpg(server.pid, signal.SIGKILL)
                await server.wait()

    assert (before.status_code, before.json()["status"]) == (200, "ok")
    assert (after.status_code, after.json()) == (
        503,
        {"status": "unavailable", "database": "unreachable"},
    )
