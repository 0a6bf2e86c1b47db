"""A JSON list of services read item by item, in this process or in one of its own.

Memory stays flat on any size of file (ijson hands over one service at a time). Parsing and
reading services is a third of an import's work: for a large file it runs in a separate
process, which sends the candidates back in chunks (msgpack), so it overlaps the writes. That
process is `python -m directory.exchange.list_reader FILE LABEL`, which imports only the
reading code (a multiprocessing child would import the whole app again, a second of CPU).
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

import ijson
import msgspec

from directory.exchange.hsds_in import Candidate, read_service
from directory.exchange.problems import STOPPED, Problem
from hub.errors import Invalid

OWN_PROCESS_FROM = 5_000_000  # bytes: smaller files are read in this process
CHUNK = 200  # candidates sent at once
BOM = b"\xef\xbb\xbf"


def where_of(label: str, index: int, item: Any) -> str:
    """ "service_list.json item 3 (Community Counselling)", or with the id when it has no name."""
    name = item.get("name") or item.get("id") if isinstance(item, dict) else None
    return f"{label} item {index}" + (f" ({name})" if isinstance(name, str) and name else "")


def as_service(item: Any) -> Any:
    """A service-at-location object read as its service, at that location; others as they are."""
    if not (isinstance(item, dict) and isinstance(item.get("service"), dict)):
        return item
    link = {"id": item.get("id"), "location": item.get("location")}
    return {**item["service"], "service_at_locations": [link] if item.get("location") else []}


def read_items(file: BinaryIO, label: str) -> Iterator[Candidate]:
    """Each service in the open file as a Candidate; a break in the JSON ends it with an error."""
    if file.read(3) != BOM:
        file.seek(0)
    items = ijson.items(file, "item", use_float=True)
    index = 0
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except (ijson.JSONError, ValueError, RecursionError) as exc:
            where = f"{label} after item {index}"
            message = f"not valid JSON from here on; the rest is not read: {exc}"
            yield Candidate(where=where, errors=[Problem(where, "", message, STOPPED)])
            return
        index += 1
        yield read_service(as_service(item), where_of(label, index, item))


def _send(out: IO[bytes], message: bytes) -> None:
    out.write(len(message).to_bytes(4, "big"))
    out.write(message)


def parse_in_own_process(path: str, label: str, out: IO[bytes]) -> None:
    """Child process: write (bytes read, candidates) chunks, then an empty message, to `out`."""
    gc.freeze()  # as the import command does: few objects here outlive a chunk
    gc.set_threshold(50_000, 20, 100)
    encoder = msgspec.msgpack.Encoder()
    with open(path, "rb") as file:
        chunk: list[Candidate] = []
        for candidate in read_items(file, label):
            chunk.append(candidate)
            if len(chunk) >= CHUNK:
                _send(out, encoder.encode((file.tell(), chunk)))
                chunk = []
        _send(out, encoder.encode((file.tell(), chunk)))
    _send(out, b"")
    out.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    """One message from the child; None when its output ended before a whole one."""
    header = stream.read(4)
    if len(header) < 4:
        return None
    size = int.from_bytes(header, "big")
    message = stream.read(size)
    return message if len(message) == size else None


def _start_child(path: Path) -> subprocess.Popen[bytes]:
    """The reading process for `path`, its messages on its standard output."""
    return subprocess.Popen(  # noqa: S603 - this interpreter, this module, our own file
        [sys.executable, "-m", __name__, str(path), path.name],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )


class ListReader:
    """Candidates from a JSON list file, and how many bytes of it have been read."""

    def __init__(self, path: Path, *, in_process: bool) -> None:
        self.path = path
        self.in_process = in_process
        self.size = path.stat().st_size
        self.done = 0

    def position(self) -> int:
        """Bytes read so far."""
        return self.done

    def candidates(self) -> AsyncIterator[Candidate]:
        """Every service in the file, in order."""
        return self._here() if self.in_process else self._from_child()

    async def _here(self) -> AsyncIterator[Candidate]:
        with self.path.open("rb") as file:
            for count, candidate in enumerate(read_items(file, self.path.name), start=1):
                self.done = file.tell()
                yield candidate
                if count % 50 == 0:
                    await asyncio.sleep(0)  # let the writes and the progress bar run
        self.done = self.size

    async def _from_child(self) -> AsyncIterator[Candidate]:
        child = _start_child(self.path)
        assert child.stdout is not None
        finished = False
        decoder = msgspec.msgpack.Decoder(tuple[int, list[Candidate]])
        try:
            while True:
                data = await asyncio.to_thread(_receive, child.stdout)
                if data is None:
                    msg = f"reading {self.path.name} stopped unexpectedly"
                    raise Invalid(msg)
                if not data:
                    finished = True
                    break
                self.done, chunk = decoder.decode(data)
                for candidate in chunk:
                    yield candidate
        finally:
            if not finished:  # stopped early: the child's work is not wanted any more
                child.kill()
            child.stdout.close()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.done = self.size


if __name__ == "__main__":
    parse_in_own_process(sys.argv[1], sys.argv[2], sys.stdout.buffer)
