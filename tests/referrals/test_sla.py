"""Response targets: one reminder to the service before the target, one flag to the sender after."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

from app import JOB_HANDLERS
from consent import consents, policy
from consent.vocabulary import CONTACT, IDENTITY
from hub import clock, outbox
from hub.audit import Actor
from hub.tables import Notification, OutboxJob
from referrals import moves, sla, suspension, views
from referrals.schemas import MoveForm
from referrals.tables import Referral, ReferralEvent
from tests.consent.factories import consent_to
from tests.referrals.factories import Network, network, sent

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # due day for 5 working days: Tuesday 1 Dec


async def told(staff_id: UUID, kind: str) -> list[str]:
    """Subjects of the notifications of `kind` a staff member got."""
    rows = await Notification.select(Notification.subject).where(
        (Notification.staff == staff_id) & (Notification.kind == kind)
    )
    return [row["subject"] for row in rows]


async def events(referral_id: UUID, kind: str) -> int:
    """How many events of `kind` the referral has."""
    return int(
        await ReferralEvent.count().where(
            (ReferralEvent.referral == referral_id) & (ReferralEvent.kind == kind)
        )
    )


async def sent_on_monday(days: int = 5) -> tuple[Network, UUID]:
    """A referral sent on Monday 23 November 2026 to a service with a `days` target."""
    clock.freeze(MONDAY)
    net = await network(response_target_days=days)
    return net, await sent(net)


async def test_reminder_before_the_target_then_overdue_flag_to_the_sender() -> None:
    net, referral_id = await sent_on_monday()
    row = await Referral.select().where(Referral.id == referral_id).first()
    assert row["due_at"] == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)

    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    clock.advance(timedelta(days=3))  # Thursday: Friday and Tuesday still to go
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}

    clock.advance(timedelta(days=1))  # Friday: Monday is St Andrew's Day, Tuesday the due day
    assert await sla.run_sla_check() == {"reminded": 1, "overdue": 0}
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    for worker in (net.partner_worker, net.partner_colleague):
        [subject] = await told(worker.id, "referral.reminder")
        assert subject.endswith("needs a reply by Tuesday 1 December")
        assert "Robin" not in subject
    assert await told(net.hub_worker.id, "referral.reminder") == []
    assert await events(referral_id, "reminded") == 1
    reminded = await Referral.select(Referral.reminded_at).where(Referral.id == referral_id)
    assert reminded[0]["reminded_at"] == clock.now()

    clock.freeze(datetime(2026, 12, 1, 23, 59, tzinfo=UTC))  # the last minute of the due day
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    assert not (await views.get_referral(net.sender, referral_id)).overdue

    clock.freeze(datetime(2026, 12, 2, 0, 0, tzinfo=UTC))
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 1}
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    [flag] = await told(net.hub_worker.id, "referral.overdue")
    assert "not answered in time" in flag
    assert await told(net.partner_worker.id, "referral.overdue") == []
    assert await events(referral_id, "overdue") == 1
    view = await views.get_referral(net.sender, referral_id)
    assert view.overdue
    assert [e.kind for e in view.events] == ["sent", "reminded", "overdue"]


async def test_an_answered_referral_is_neither_reminded_nor_flagged() -> None:
    net, referral_id = await sent_on_monday()
    await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1))
    clock.advance(timedelta(days=4))
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    clock.advance(timedelta(days=30))
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    assert await events(referral_id, "reminded") == await events(referral_id, "overdue") == 0


async def test_a_one_day_target_is_reminded_on_its_due_day_not_the_day_it_was_sent() -> None:
    net, _ = await sent_on_monday(days=1)
    clock.advance(timedelta(minutes=15))
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    clock.advance(timedelta(days=1))  # Tuesday, the due day
    assert await sla.run_sla_check() == {"reminded": 1, "overdue": 0}
    clock.advance(timedelta(days=1))  # Wednesday
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 1}
    assert len(await told(net.partner_worker.id, "referral.reminder")) == 1


async def test_no_reminder_at_the_weekend_or_on_a_bank_holiday() -> None:
    # Sent on Friday 27 November with a one-day target: due at the end of Tuesday 1 December,
    # as Monday is St Andrew's Day. The reminder waits for the Tuesday.
    clock.freeze(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    net = await network(response_target_days=1)
    await sent(net)
    for _ in range(3):  # Saturday, Sunday, St Andrew's Day
        clock.advance(timedelta(days=1))
        assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    clock.advance(timedelta(days=1))
    assert await sla.run_sla_check() == {"reminded": 1, "overdue": 0}


async def test_a_check_that_missed_the_reminder_window_only_flags() -> None:
    net, _ = await sent_on_monday()
    clock.advance(timedelta(days=14))
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 1}
    assert await told(net.partner_worker.id, "referral.reminder") == []


async def test_two_workers_checking_at_once_tell_people_once() -> None:
    net, referral_id = await sent_on_monday()
    second = await sent(net)
    clock.advance(timedelta(days=4))
    results = await asyncio.gather(*(sla.run_sla_check() for _ in range(4)))
    assert sum(r["reminded"] for r in results) == 2
    for referral in (referral_id, second):
        assert await events(referral, "reminded") == 1
    assert len(await told(net.partner_worker.id, "referral.reminder")) == 2

    clock.advance(timedelta(days=10))
    results = await asyncio.gather(*(sla.run_sla_check() for _ in range(4)))
    assert sum(r["overdue"] for r in results) == 2
    assert len(await told(net.hub_worker.id, "referral.overdue")) == 2


async def test_a_suspended_referral_is_left_alone_until_it_resumes() -> None:
    net, referral_id = await sent_on_monday()
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "test")
    await suspension.settle_client(net.client.id)
    clock.advance(timedelta(days=14))
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 0}
    await consent_to(net.client.id, [net.partner], (IDENTITY, CONTACT))
    assert await suspension.settle_client(net.client.id) == {referral_id: "resumed"}
    assert await sla.run_sla_check() == {"reminded": 0, "overdue": 1}


async def test_the_check_runs_from_the_outbox_and_queues_its_next_run() -> None:
    _, referral_id = await sent_on_monday()
    assert await sla.ensure_sla_job() is True
    assert await sla.ensure_sla_job() is False
    clock.advance(timedelta(days=4))
    await outbox.run_once(JOB_HANDLERS, "worker-a", limit=100)
    assert await events(referral_id, "reminded") == 1
    jobs = await OutboxJob.select().where(OutboxJob.kind == sla.SLA_JOB)
    pending = [job for job in jobs if job["status"] == "pending"]
    assert [job["status"] for job in jobs if job["status"] != "pending"] == ["done"]
    assert len(pending) == 1
    assert pending[0]["run_after"] == clock.now() + sla.RUN_EVERY
    # The reminders' e-mail copies are queued for each worker who wants them.
    emails = await OutboxJob.select(OutboxJob.payload).where(OutboxJob.kind == "email")
    subjects = [json.loads(job["payload"])["subject"] for job in emails]
    assert sum("Reminder" in subject for subject in subjects) == 2
