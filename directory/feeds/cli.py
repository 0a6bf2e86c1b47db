"""`wraparound directory feed-add | sync`: register a feed, pull the feeds that are due."""

from __future__ import annotations

import sys

import click

from directory.cli import directory_group
from directory.exchange.cli import run_job
from directory.feeds import services
from directory.feeds.schemas import PullResult


def _line(url: str, result: PullResult) -> str:
    counts = ", ".join(f"{name} {count}" for name, count in result.counts.items())
    return f"{url}: {result.status} in {result.seconds:.1f} s ({counts}). {result.message}"


@directory_group.command("feed-add")
@click.argument("url")
@click.option("--publisher", required=True, help="The organisation that publishes the feed.")
@click.option("--every-hours", type=int, default=24, show_default=True, help="How often to pull.")
def feed_add_command(url: str, publisher: str, every_hours: int) -> None:
    """Register the Open Referral UK API at URL as a feed to keep in step."""
    feed_id = run_job(lambda: services.register_feed(url, publisher, every_hours))
    click.echo(f"Feed registered ({feed_id}); `wraparound directory sync` pulls it.")


async def _sync(every: bool, confirm: str) -> list[tuple[str, PullResult]]:
    feeds = {row["id"]: row["url"] for row in await services.list_feeds()}
    if confirm:
        chosen = [feed_id for feed_id, url in feeds.items() if url == confirm]
        if not chosen:
            raise click.ClickException(f"No feed registered at {confirm}")
        hidden = await services.confirm_removals(chosen[0])
        click.echo(f"{hidden} listings no longer in {confirm} hidden.")
        return []
    due = list(feeds) if every else await services.due_feeds()
    return [(feeds[feed_id], await services.pull_feed(feed_id)) for feed_id in due]


@directory_group.command("sync")
@click.option("--all", "every", is_flag=True, help="Pull every feed now, due or not.")
@click.option(
    "--confirm-removals",
    "confirm",
    default="",
    metavar="URL",
    help="Hide the listings a held pull of the feed at URL found gone.",
)
def sync_command(every: bool, confirm: str) -> None:
    """Pull the registered feeds that are due (the worker does this every hour).

    Exits 1 when a pull failed, stopped part-way or is held for an admin.
    """
    results = run_job(lambda: _sync(every, confirm))
    for url, result in results:
        click.echo(_line(url, result))
    if not results and not confirm:
        click.echo("No feed is due.")
    sys.exit(1 if any(result.status != "ok" for _, result in results) else 0)
