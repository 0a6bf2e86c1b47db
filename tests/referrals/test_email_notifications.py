"""Referral notifications by e-mail, through the outbox to a real SMTP server (aiosmtpd).

The recipient's workers hear of a new referral, the sender of every change; each person can
turn e-mail off; an e-mail carries a link and nothing about the client.
"""

from __future__ import annotations

import re
from uuid import UUID

from app import JOB_HANDLERS
from consent import consents, policy
from hub import notifications, outbox
from hub.audit import Actor
from hub.settings import get_settings
from hub.tables import Staff
from referrals import moves, suspension
from referrals.schemas import MoveForm
from tests.hub.conftest import Mailbox
from tests.referrals.factories import Network, network, sent

# Everything the referral form and the client record hold that must never be e-mailed.
CLIENT_DATA = (
    "Robin",
    "Robin Client",
    "1990",
    "somewhere safe",
    "Sleeping rough",
    "tenancy",
    "Mornings",
    "phone",
)


async def drain() -> None:
    """Run the outbox until nothing is due (as the worker would)."""
    while await outbox.run_once(JOB_HANDLERS, "worker-test", limit=50):
        pass


def mail_for(mailbox: Mailbox, staff: Staff) -> list[str]:
    """The bodies of the e-mails one staff member received."""
    return [message.get_content() for message in mailbox.messages if message["To"] == staff.email]


def assert_only_a_link(mailbox: Mailbox, referral_id: UUID) -> None:
    """Every message carries the referral's link and no client data."""
    base = get_settings().base_url
    assert mailbox.messages
    for message in mailbox.messages:
        body = message.get_content()
        text = f"{message['Subject']}\n{body}"
        for word in CLIENT_DATA:
            assert word.lower() not in text.lower(), (word, text)
        links = re.findall(r"https?://\S+", body)
        assert links == [f"{base}/referrals/{referral_id}", f"{base}/account/notifications"]


async def test_a_new_referral_emails_the_recipients_workers_who_want_it(mailbox: Mailbox) -> None:
    net = await network()
    await notifications.set_email_preference(net.partner_colleague.id, False)
    referral_id = await sent(net)
    await drain()

    assert [envelope.rcpt_tos for envelope in mailbox.envelopes] == [[net.partner_worker.email]]
    [body] = mail_for(mailbox, net.partner_worker)
    assert body.startswith("New referral to Housing First Dundee (ref ")
    assert mail_for(mailbox, net.partner_colleague) == []
    assert mail_for(mailbox, net.hub_worker) == []
    assert_only_a_link(mailbox, referral_id)
    # E-mail off still leaves the notification in the app.
    assert await notifications.unread_count(net.partner_colleague.id) == 1
    assert await notifications.unread_count(net.partner_worker.id) == 1


async def test_a_worker_no_longer_active_hears_nothing_of_a_new_referral(
    mailbox: Mailbox,
) -> None:
    net = await network()
    await Staff.update({Staff.active: False}).where(Staff.id == net.partner_colleague.id)
    await sent(net)
    await drain()

    assert [envelope.rcpt_tos for envelope in mailbox.envelopes] == [[net.partner_worker.email]]
    assert await notifications.unread_count(net.partner_colleague.id) == 0
    assert await notifications.unread_count(net.partner_worker.id) == 1


async def test_each_move_emails_the_sender(mailbox: Mailbox) -> None:
    net = await network()
    referral_id = await sent(net)
    await drain()
    mailbox.envelopes.clear()

    await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1))
    await drain()
    [accepted] = mail_for(mailbox, net.hub_worker)
    assert accepted.startswith("Referral to Housing First Dundee")
    assert "accepted" in accepted.splitlines()[0]
    # Whoever made the move is not told about it; nor, for a recipient's move, their colleagues.
    assert [envelope.rcpt_tos for envelope in mailbox.envelopes] == [[net.hub_worker.email]]

    await moves.move(
        net.colleague,
        referral_id,
        MoveForm(action="complete", version=2, outcome_code="need_met"),
    )
    await drain()
    assert len(mail_for(mailbox, net.hub_worker)) == 2
    assert "completed" in mail_for(mailbox, net.hub_worker)[1].splitlines()[0]
    assert_only_a_link(mailbox, referral_id)
    assert await notifications.unread_count(net.hub_worker.id) == 2


async def test_the_sender_can_turn_email_off(mailbox: Mailbox) -> None:
    net = await network()
    referral_id = await sent(net)
    await notifications.set_email_preference(net.hub_worker.id, False)
    await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1))
    await drain()
    assert mail_for(mailbox, net.hub_worker) == []
    assert await notifications.unread_count(net.hub_worker.id) == 1


async def test_a_cancel_emails_the_recipients_workers(mailbox: Mailbox) -> None:
    net = await network()
    referral_id = await sent(net)
    await drain()
    mailbox.envelopes.clear()
    await moves.move(
        net.sender, referral_id, MoveForm(action="cancel", version=1, reason_code="need_met")
    )
    await drain()
    told = sorted(e.rcpt_tos[0] for e in mailbox.envelopes)
    assert told == sorted([net.partner_worker.email, net.partner_colleague.email])
    assert_only_a_link(mailbox, referral_id)


async def test_a_suspension_emails_both_sides(mailbox: Mailbox) -> None:
    net: Network = await network()
    referral_id = await sent(net)
    await drain()
    mailbox.envelopes.clear()
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "in person")
    await drain()  # runs consent.changed, which queues the e-mails, then sends them
    assert await suspension.settle_client(net.client.id) == {}
    told = sorted(e.rcpt_tos[0] for e in mailbox.envelopes)
    everyone = [net.partner_worker.email, net.partner_colleague.email, net.hub_worker.email]
    assert told == sorted(everyone)
    assert all("suspended" in m["Subject"] for m in mailbox.messages)
    assert_only_a_link(mailbox, referral_id)
