"""Command-line interface: serve, migrate, demo, create-admin, worker, audit verify."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from hub import audit, audit_anchor, outbox
from hub.backup_cli import backup_command, backup_key_command, restore_command
from hub.db import get_engine, is_sqlite, prepare_sqlite_file
from hub.errors import ConfigurationError, Invalid
from hub.settings import get_settings

Seeder = Callable[[], Awaitable[list[tuple[str, str]]]]
DEMO_HUB_PHONE = "01632 960 123"
"""The demo hub's phone number on printed pages (a number set aside for drama: nobody's)."""


class _Group(click.Group):
    """A command group that reports a misconfigured environment as one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigurationError as exc:
            raise click.ClickException(str(exc)) from exc


async def migrate() -> None:
    """Apply every package's Piccolo migrations (WAL turned on first for SQLite)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    await prepare_sqlite_file(get_engine())
    result = await run_forwards("all")
    if not result.success:
        msg = f"migrations failed: {result.message}"
        raise click.ClickException(msg)


def _serve_command(app_target: str) -> click.Command:
    @click.command("serve")
    @click.option("--host", default=None, help="Address to listen on (default: HOST).")
    @click.option("--port", default=None, type=int, help="Port to listen on (default: PORT).")
    @click.option("--workers", default=None, type=int, help="Web workers (default: WEB_WORKERS).")
    def serve(host: str | None, port: int | None, workers: int | None) -> None:
        """Serve the web app with Granian."""
        from granian import Granian
        from granian.constants import Interfaces, Loops

        settings = get_settings()
        count = workers or settings.web_workers
        if count > 1 and is_sqlite():
            msg = (
                f"SQLite serves from one web process (asked for {count}): its writes queue "
                "inside one process, and several processes queue on the file lock with "
                "second-long waits. Use WEB_WORKERS=1, or PostgreSQL (DATABASE_URL) for more."
            )
            raise click.ClickException(msg)
        Granian(
            target=app_target,
            factory=True,
            address=host or settings.host,
            port=port or settings.port,
            interface=Interfaces.ASGI,
            workers=count,
            workers_kill_timeout=10,
            log_access=False,
            # libuv's event loop: a referral move on PostgreSQL cost the web process about
            # an eighth less CPU than on asyncio's own loop (bench/README.md, issue 14).
            loop=Loops.uvloop,
        ).serve()

    return serve


@click.command("migrate")
def _migrate_command() -> None:
    """Create or update the database tables."""
    asyncio.run(migrate())
    click.echo("Database is up to date.")


def _print_sign_ins(sign_ins: list[tuple[str, str]]) -> None:
    from hub.demo import demo_password

    password = demo_password()
    settings = get_settings()
    click.echo("")
    click.echo(f"Wraparound demo network is ready at http://{settings.host}:{settings.port}")
    click.echo("Demo sign-ins (password for all: " + password + "):")
    for role, login in sign_ins:
        click.echo(f"  {role:<22} {login}")
    click.echo("Clients sign in at /portal/sign-in.")
    click.echo("")


def _start_mail_catcher() -> None:
    """Catch the demo's e-mail on loopback and point the app (and its workers) at it."""
    from hub import mail_catcher

    settings = get_settings()
    folder = settings.var_dir / "demo-mail"
    catcher = mail_catcher.start(folder)
    os.environ.update(
        {
            "SMTP_HOST": mail_catcher.HOST,
            "SMTP_PORT": str(catcher.port),
            "SMTP_TLS": "none",
            "DEMO_MAIL_DIR": str(folder),
        }
    )
    get_settings.cache_clear()
    click.echo(
        f"Mail catcher on {mail_catcher.HOST}:{catcher.port}: the demo's e-mail is kept in "
        f"{folder} and shown to signed-in staff at "
        f"http://{settings.host}:{settings.port}/demo/mail"
    )


def _demo_command(demo_seeders: Sequence[Seeder]) -> click.Command:
    @click.command("demo")
    @click.option("--serve/--no-serve", default=False, help="Serve the app after seeding.")
    def demo(serve: bool) -> None:
        """Migrate, seed the demo network (keeping existing data) and print the sign-ins."""
        os.environ.setdefault("HUB_PHONE", DEMO_HUB_PHONE)
        get_settings.cache_clear()
        if serve and not get_settings().smtp_host:
            _start_mail_catcher()

        async def seed_all() -> list[tuple[str, str]]:
            await migrate()
            sign_ins: list[tuple[str, str]] = []
            for seeder in demo_seeders:
                sign_ins.extend(await seeder())
            return sign_ins

        _print_sign_ins(asyncio.run(seed_all()))
        if serve:
            sys.stdout.flush()
            context = click.get_current_context()
            assert context.parent is not None
            group = context.parent.command
            assert isinstance(group, click.Group)
            serve_command = group.get_command(context, "serve")
            assert serve_command is not None
            context.invoke(serve_command)

    return demo


@click.command("create-admin")
@click.option("--email", required=True, help="The administrator's e-mail (their sign-in).")
@click.option("--name", required=True, help="The administrator's name.")
@click.option("--organisation", default="Lochee Hub", help="Their organisation (made if new).")
def _create_admin_command(email: str, name: str, organisation: str) -> None:
    """Create (or promote) a system administrator; the password is asked for."""
    password = getpass.getpass("Password (12 characters or more): ")
    try:
        asyncio.run(_create_admin(organisation, name, email, password))
    except Invalid as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{email} is a system administrator.")


def _worker_command(job_handlers: Mapping[str, outbox.Handler]) -> click.Command:
    @click.command("worker")
    def worker() -> None:
        """Run the outbox worker until stopped (for separate worker processes)."""
        asyncio.run(_run_worker(job_handlers))

    return worker


@click.group("audit")
def _audit_group() -> None:
    """The audit trail."""


@_audit_group.command("checkpoint")
def _checkpoint_command() -> None:
    """Sign the audit trail's newest row now (table and var/audit-checkpoints.jsonl)."""
    checkpoint = asyncio.run(audit_anchor.write_checkpoint())
    if checkpoint is None:
        click.echo("The audit trail is empty: nothing to sign.")
        return
    click.echo(checkpoint.line())


@_audit_group.command("verify")
@click.option(
    "--against",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A copy of audit-checkpoints.jsonl kept elsewhere: rows cut from the end show.",
)
def _verify_command(against: Path | None) -> None:
    """Check every link of the audit trail's hash chain, and the signed checkpoints."""
    kept = audit_anchor.read_file(against) if against else []
    result = asyncio.run(audit.verify(against=kept))
    if result.ok:
        blanked = f" ({result.redacted} blanked by erasures)" if result.redacted else ""
        click.echo(f"Audit trail intact: {result.checked} events checked{blanked}.")
        return
    click.echo(
        f"Audit trail BROKEN at event {result.broken_seq}: {result.reason} "
        f"({result.checked} events before it are intact).",
        err=True,
    )
    sys.exit(1)


def build_cli(
    app_target: str,
    job_handlers: Mapping[str, outbox.Handler],
    demo_seeders: Sequence[Seeder],
    feature_commands: Sequence[click.Command] = (),
) -> click.Group:
    """The `wraparound` command, given what the composition root wires in."""

    @click.group(cls=_Group)
    def cli() -> None:
        """Wraparound: service directory and referral network for a community hub."""

    for command in (
        _serve_command(app_target),
        _migrate_command,
        _demo_command(demo_seeders),
        _create_admin_command,
        _worker_command(job_handlers),
        _audit_group,
        backup_command,
        restore_command,
        backup_key_command,
        *feature_commands,
    ):
        cli.add_command(command)
    return cli


async def _create_admin(organisation: str, name: str, email: str, password: str) -> None:
    from hub.accounts.staff import create_system_admin

    await migrate()
    await create_system_admin(organisation, name, email, password)


async def _run_worker(job_handlers: Mapping[str, Any]) -> None:
    from hub.db import close_pool, open_pool

    engine = get_engine()
    await open_pool(engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    click.echo("Outbox worker running; Ctrl+C stops it.")
    try:
        await outbox.run_forever(job_handlers, stop, get_settings().worker_poll_seconds)
    finally:
        await close_pool(engine)
