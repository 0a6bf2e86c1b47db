"""`wraparound directory reindex` and `wraparound directory generate`, with progress bars."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from directory.cli import directory_group
from hub.db import close_pool, get_engine, open_pool


def progress_bar(console: Console | None = None) -> Progress:
    """A rich progress bar: description, bar, done of total, elapsed and remaining time."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


async def _with_pool(work: Callable[[], Awaitable[Any]]) -> Any:
    engine = get_engine()
    await open_pool(engine)
    try:
        return await work()
    finally:
        await close_pool(engine)


@directory_group.command("reindex")
def reindex() -> None:
    """Rebuild the search index the settings choose, from every active listing."""
    from directory.search.backend import get_backend

    backend = get_backend()
    started = time.monotonic()
    with progress_bar() as bar:
        task = bar.add_task(f"Indexing ({backend.name})", total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        count = asyncio.run(_with_pool(lambda: backend.rebuild(report)))
    seconds = time.monotonic() - started
    click.echo(f"Indexed {count:,} services in {backend.name} in {seconds:.1f} s.")


@directory_group.command("generate")
@click.option("--count", default=1000, show_default=True, type=click.IntRange(1, 10_000_000))
@click.option(
    "--seed", default=None, type=int, help="The same seed makes the same listings (ids too)."
)
def generate(count: int, seed: int | None) -> None:
    """Add COUNT synthetic services around Dundee (hours, needs, languages, capacity, places)."""
    from directory.generate import generate_directory

    started = time.monotonic()
    with progress_bar() as bar:
        task = bar.add_task("Writing and indexing", total=count)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        written = asyncio.run(
            _with_pool(lambda: generate_directory(count, seed=seed, progress=report))
        )
    seconds = time.monotonic() - started
    click.echo(f"Generated {written:,} services in {seconds:.1f} s.")
