"""E-mail through the outbox to a real SMTP server: sent once, even when a worker dies."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from datetime import timedelta
from typing import Any

import pytest

from app import JOB_HANDLERS
from hub import clock, outbox
from hub.db import transaction
from hub.mail import EMAIL_JOB, queue_email
from hub.settings import get_settings
from hub.tables import OutboxJob
from tests.hub.conftest import WRAPAROUND, Mailbox, process_env

TO = "jo.bloggs@example.org"
SUBJECT = "A referral for you"
BODY = "Hello,\n\nLochee Hub has sent you a referral.\n"


class Rollback(Exception):
    """Raised to abandon a transaction."""


async def email_job() -> dict[str, Any]:
    """The one e-mail job in the outbox."""
    rows = await OutboxJob.select().where(OutboxJob.kind == EMAIL_JOB)
    assert len(rows) == 1
    return rows[0]


def assert_delivered_once(mailbox: Mailbox, message_id: str) -> None:
    """The SMTP server received exactly the queued message, once."""
    assert len(mailbox.envelopes) == 1
    assert mailbox.envelopes[0].rcpt_tos == [TO]
    [message] = mailbox.messages
    assert message["To"] == TO
    assert message["From"] == get_settings().mail_from
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == message_id
    assert message.get_content() == BODY


async def test_a_queued_email_is_delivered_once_over_smtp(mailbox: Mailbox) -> None:
    async with transaction():
        await queue_email(TO, SUBJECT, BODY)
    job = await email_job()
    message_id = json.loads(job["payload"])["message_id"]
    assert message_id.endswith("@wraparound.invalid>")
    assert mailbox.envelopes == []

    assert await outbox.run_once(JOB_HANDLERS, "worker-a") == 1
    assert await outbox.run_once(JOB_HANDLERS, "worker-a") == 0

    assert_delivered_once(mailbox, message_id)
    assert (await email_job())["status"] == "done"


async def test_each_email_gets_its_own_message_id(mailbox: Mailbox) -> None:
    await queue_email(TO, SUBJECT, BODY)
    await queue_email(TO, SUBJECT, BODY)

    assert await outbox.run_once(JOB_HANDLERS, "worker-a") == 2

    ids = [message["Message-ID"] for message in mailbox.messages]
    assert len(ids) == len(set(ids)) == 2


async def test_an_email_queued_in_a_rolled_back_transaction_is_never_sent(
    mailbox: Mailbox,
) -> None:
    async def queue_then_roll_back() -> None:
        async with transaction():
            await queue_email(TO, SUBJECT, BODY)
            raise Rollback

    with pytest.raises(Rollback):
        await queue_then_roll_back()

    assert await outbox.run_once(JOB_HANDLERS, "worker-a") == 0
    assert mailbox.envelopes == []


async def test_an_email_job_survives_a_worker_crash_and_is_sent_once(mailbox: Mailbox) -> None:
    await queue_email(TO, SUBJECT, BODY)
    message_id = json.loads((await email_job())["payload"])["message_id"]

    # Worker A claims the job and is killed before it sends or records anything.
    [_] = await outbox.claim("worker-a")

    assert await outbox.run_once(JOB_HANDLERS, "worker-b") == 0
    assert mailbox.envelopes == []

    clock.advance(outbox.LEASE + timedelta(seconds=1))
    assert await outbox.run_once(JOB_HANDLERS, "worker-b") == 1
    assert await outbox.run_once(JOB_HANDLERS, "worker-b") == 0

    assert_delivered_once(mailbox, message_id)
    job = await email_job()
    assert (job["status"], job["attempts"], job["locked_by"]) == ("done", 2, "worker-b")


async def test_an_email_job_survives_a_killed_worker_process(mailbox: Mailbox) -> None:
    # The worker process's mail server accepts the connection and never answers, so the
    # worker is caught mid-send, holding the job's lease, when it is killed.
    connected = asyncio.Event()
    connections: list[asyncio.StreamWriter] = []

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        connected.set()
        await reader.read()

    stalled_smtp = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    stalled_port = stalled_smtp.sockets[0].getsockname()[1]
    await queue_email(TO, SUBJECT, BODY)
    message_id = json.loads((await email_job())["payload"])["message_id"]

    worker = await asyncio.create_subprocess_exec(
        str(WRAPAROUND),
        "worker",
        env=process_env(SMTP_PORT=str(stalled_port), WORKER_POLL_SECONDS="0.1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        try:
            await asyncio.wait_for(connected.wait(), timeout=30)
        except TimeoutError:
            worker.kill()
            _, stderr = await worker.communicate()
            pytest.fail(f"the worker never tried to send: {stderr.decode()}")
        job = await email_job()
        assert job["status"] == "running"
        assert job["locked_by"]
        worker.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(worker.wait(), timeout=10) == -signal.SIGKILL
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
        for connection in connections:
            connection.close()
        stalled_smtp.close()
        await stalled_smtp.wait_closed()

    assert mailbox.envelopes == []
    assert await outbox.run_once(JOB_HANDLERS, "worker-b") == 0

    clock.advance(outbox.LEASE + timedelta(seconds=1))
    assert await outbox.run_once(JOB_HANDLERS, "worker-b") == 1
    assert await outbox.run_once(JOB_HANDLERS, "worker-b") == 0

    assert_delivered_once(mailbox, message_id)
    job = await email_job()
    assert (job["status"], job["attempts"]) == ("done", 2)


async def test_when_the_mail_server_is_down_the_email_waits_and_is_sent_later(
    mailbox: Mailbox,
) -> None:
    mailbox.stop()
    clock.freeze()
    await queue_email(TO, SUBJECT, BODY)
    message_id = json.loads((await email_job())["payload"])["message_id"]

    assert await outbox.run_once(JOB_HANDLERS, "worker-a") == 1

    job = await email_job()
    assert (job["status"], job["attempts"]) == ("pending", 1)
    assert "ConnectionRefusedError" in job["last_error"]
    assert job["run_after"] == clock.now() + outbox.backoff(1)

    mailbox.start()
    assert await outbox.run_once(JOB_HANDLERS, "worker-a") == 0
    clock.advance(outbox.backoff(1))
    assert await outbox.run_once(JOB_HANDLERS, "worker-a") == 1

    assert_delivered_once(mailbox, message_id)
    job = await email_job()
    assert (job["status"], job["attempts"]) == ("done", 2)
