"""Each inbox tab holds exactly the statuses its name says, and every tab shows its count."""

from __future__ import annotations

import re

from referrals.inbox import inbox
from referrals.lifecycle import GROUP_STATUSES, INBOX_GROUPS, STATUS_LABELS
from tests.consent.fixtures import client, pooled
from tests.referrals.factories import network
from tests.referrals.inbox_support import one_of_each_status
from tests.support import sign_in

__all__ = ["client", "pooled"]
ROWS = re.compile(r'<a class="govuk-link" href="/referrals/([0-9a-f-]{36})"')


def test_a_tab_named_after_a_status_holds_that_status_alone():
    for group, statuses in GROUP_STATUSES.items():
        named = [code for code, label in STATUS_LABELS.items() if label == INBOX_GROUPS[group]]
        if named:
            assert statuses == frozenset(named), group
    every = set().union(*GROUP_STATUSES.values())
    assert every == set(STATUS_LABELS) - {"draft"}


async def test_every_referral_sits_under_the_tab_its_status_names(client):
    net = await network()
    ids = await one_of_each_status(net)
    expected = {
        "new": {ids["new"]},
        "awaiting": {ids["opened"]},
        "accepted": {ids["accepted"]},
        "in_progress": {ids["in-progress"]},
        "on_hold": {ids["on-hold"]},
        "closed": {ids["completed"], ids["rejected"]},
    }
    for group, wanted in expected.items():
        found = await inbox(net.recipient, group=group)
        assert {item.id for item in found.items} == wanted, group
        assert {item.status for item in found.items} <= GROUP_STATUSES[group]
        assert found.counts[group] == len(wanted)

    await sign_in(client, net.partner_worker.email)
    page = (await client.get("/referrals?group=accepted")).text
    assert ROWS.findall(page) == [str(ids["accepted"])]
    for label, count in [
        ("All", 7),
        ("New", 1),
        ("Opened, not answered", 1),
        ("Accepted", 1),
        ("In progress", 1),
        ("On hold", 1),
        ("Closed", 2),
    ]:
        assert f"{label} ({count})</" in page, label
    home = (await client.get("/")).text
    assert "Accepted: 1</a>" in home
    assert "In progress: 1</a>" in home
