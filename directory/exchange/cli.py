"""`wraparound directory import | export | import-postcodes`, with progress bars and summaries.

Attached to the `directory` command group; directory/web.py imports this module.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from directory.cli import directory_group
from directory.exchange import exporter, postcodes, sources
from directory.exchange.hsds_in import Candidate
from directory.exchange.importer import BATCH, import_candidates
from directory.exchange.problems import Problem
from directory.exchange.report import ReportWriter, grouped_lines, names_line
from directory.exchange.summary import ImportSummary
from hub import clock
from hub.db import close_pool, get_engine, open_pool
from hub.errors import Invalid
from hub.settings import get_settings

T = TypeVar("T")
SHOW_AT_MOST = 50


def run_job(make: Callable[[], Awaitable[T]]) -> T:
    """Run one job with the database pool open (PostgreSQL), turning our errors into messages."""

    async def job() -> T:
        engine = get_engine()
        await open_pool(engine)
        try:
            return await make()
        finally:
            await close_pool(engine)

    try:
        return asyncio.run(job())
    except Invalid as exc:
        raise click.ClickException(str(exc)) from exc


def _progress(*, rate: bool = False) -> Progress:
    columns: list[Any] = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
    ]
    columns.insert(3, RateColumn() if rate else MofNCompleteColumn())
    return Progress(*columns, console=Console(stderr=True), transient=False)


class RateColumn(ProgressColumn):
    """Listings done and listings a second, averaged over the run so far."""

    def render(self, task: Task) -> Text:
        """e.g. "12,000 listings, 1,204 listings/s"."""
        done = task.fields.get("listings", task.completed)
        elapsed = task.elapsed or 0.0
        speed = done / elapsed if elapsed > 0 else 0.0
        return Text(f"{done:,} listings, {speed:,.0f} listings/s", style="progress.data.speed")


def _show(title: str, problems: list[Problem]) -> None:
    if not problems:
        return
    click.echo(f"{title} ({len(problems)}):")
    for problem in problems[:SHOW_AT_MOST]:
        click.echo(f"  {problem}")
    if len(problems) > SHOW_AT_MOST:
        click.echo(f"  ... and {len(problems) - SHOW_AT_MOST} more")


def print_summary(summary: ImportSummary, report: Path | None = None) -> None:
    """The closing report: counts, problems grouped by kind, and where the full list is."""
    if summary.errors:
        click.echo(f"Refused ({summary.failed} listings):")
        click.echo("\n".join(grouped_lines(summary.errors, summary.error_kinds)))
    if summary.warnings:
        click.echo(f"Taken with warnings ({summary.warning_kinds.total()} problems):")
        click.echo("\n".join(grouped_lines(summary.warnings, summary.warning_kinds)))
    if summary.organisations_created:
        click.echo(names_line(summary.organisations_created))
    if report is not None:
        click.echo(f"Problems report (every problem, CSV): {report}")
    click.echo(
        f"Import finished: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} refused, of {summary.total}."
    )


async def run_import(
    spec: str, publisher: str = "", report: Path | None = None, batch_size: int = BATCH
) -> ImportSummary:
    """Import `spec` with a progress bar showing listings a second (used by the command).

    With `report`, every problem is written there as it is found.
    """
    async with sources.http_client() as client:
        source = await sources.open_source(spec, client)
        summary = ImportSummary(report=ReportWriter(report) if report else None)
        started = time.perf_counter()
        by_bytes = source.total is None and source.size is not None and source.position
        with _progress(rate=True) as progress:
            task = progress.add_task(
                f"Importing {source.label}",
                total=source.size if by_bytes else source.total,
                listings=0,
            )

            def advance(candidate: Candidate, outcome: str) -> None:
                done = progress.tasks[0].fields["listings"] + 1
                if by_bytes and source.position is not None:
                    progress.update(task, completed=source.position(), listings=done)
                else:
                    progress.update(task, advance=1, listings=done)

            try:
                await import_candidates(
                    source.candidates,
                    source.label,
                    advance,
                    publisher=publisher,
                    summary=summary,
                    batch_size=batch_size,
                )
            finally:
                if summary.report is not None:
                    summary.report.close()
            if by_bytes:
                progress.update(task, completed=source.size)
        summary.seconds = time.perf_counter() - started
        return summary


def default_report_path() -> Path:
    """var/import-reports/import-YYYYMMDD-HHMMSS.csv"""
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    return get_settings().var_dir / "import-reports" / f"import-{stamp}.csv"


@directory_group.command("import")
@click.argument("source")
@click.option(
    "--publisher",
    default="",
    help="Organisation that listings naming none are attached to (default: DIRECTORY_PUBLISHER, "
    "else named after the feed).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the CSV of every problem (default: var/import-reports/).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 20_000),
    default=BATCH,
    show_default=True,
    help="Listings written in one transaction.",
)
def import_command(source: str, publisher: str, report_path: Path | None, batch_size: int) -> None:
    """Import listings from SOURCE: an Open Referral UK / HSDS feed URL, a JSON file, an HSDS
    CSV datapackage (folder or datapackage.json) or a plain CSV of services.

    Repairs (web addresses without https://, trailing full stops, HTML descriptions) are
    warnings; a listing is refused only when it cannot be one (no name or id) or is unsafe.
    Importing the same source again updates the same listings. Exits 1 if any was refused.
    """
    path = report_path or default_report_path()
    # A bulk job makes millions of short-lived objects: full collections of everything the
    # app has loaded took a tenth of the time. Freeze what is there and collect less often.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    summary = run_job(lambda: run_import(source, publisher, path, batch_size))
    print_summary(summary, path if summary.report and summary.report.rows else None)
    rate = summary.total / summary.seconds if summary.seconds else 0.0
    click.echo(f"Took {summary.seconds:.1f} s ({rate:,.0f} listings/s).")
    sys.exit(1 if summary.failed else 0)


async def _export(format_: str, out: Path) -> int:
    with _progress() as progress:
        total = len(await exporter.service_ids())
        task = progress.add_task(f"Exporting to {out}", total=total)

        def advance(count: int) -> None:
            progress.advance(task, count)

        if format_ == "json":
            return await exporter.write_json(out, advance)
        return await exporter.write_datapackage(out, advance)


@directory_group.command("export")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["json", "datapackage"]),
    default="json",
    show_default=True,
    help="HSDS JSON (a list of full services) or an HSDS CSV datapackage (a folder).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="File or folder.")
def export_command(format_: str, out: Path) -> None:
    """Export every listing as HSDS 3.0 / Open Referral UK data."""
    count = run_job(lambda: _export(format_, out))
    click.echo(f"Exported {count} services to {out}.")


async def _load_postcodes(path: Path) -> postcodes.PostcodeLoad:
    with _progress() as progress:
        task = progress.add_task(f"Loading {path.name}", total=postcodes.count_data_lines(path))

        def advance(count: int) -> None:
            progress.advance(task, count)

        return await postcodes.load_postcodes(path, advance)


@directory_group.command("import-postcodes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_postcodes_command(file: Path) -> None:
    """Load postcode points from FILE: the ONS Postcode Directory CSV (pcds/pcd, lat, long)
    or a simple postcode,latitude,longitude CSV. Existing postcodes are updated."""
    result = run_job(lambda: _load_postcodes(file))
    _show("Bad lines", result.problems)
    click.echo(
        f"Postcodes loaded: {result.loaded}; without a point (skipped): {result.skipped}; "
        f"bad lines: {len(result.problems)}."
    )
