"""Break-glass from an organisation with no relationship to the person.

An override is for a worker whose organisation already works with the client and needs more
than the consent allows in an emergency. Anyone else gets exactly what a made-up id gets, on
the form and on the post, and the attempt is audited.
"""

from __future__ import annotations

import re
import uuid

from consent.breakglass import open_break_glass
from consent.involvement import end_involvement
from consent.schemas import BreakGlassRequest
from consent.tables import BreakGlass
from consent.vocabulary import IDENTITY, RISK
from hub.audit import Actor
from hub.errors import NotFound
from hub.tables import AuditEvent
from tests.consent.factories import (
    consent_to,
    involve,
    note,
    principal,
    registered_client,
    staff_member,
)
from tests.consent.fixtures import client, other_client, pooled
from tests.support import csrf_from, make_organisation, sign_in

__all__ = ["client", "other_client", "pooled"]

UUIDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REASON = "She told the drop-in she is in danger tonight"


def _main(html: str) -> str:
    return UUIDS.sub("<id>", html.split("<main", 1)[1])


async def _demo_like():
    """The hub registered Alex; Street Soccer has nothing to do with them."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    soccer = await make_organisation("Street Soccer")
    housing = await make_organisation("Housing First")
    alex = await registered_client(hub, full_name="Alex Demo")
    await note(alex.id, hub, RISK, "Threats from an ex-partner")
    return hub, soccer, housing, alex


async def test_an_uninvolved_organisation_gets_the_unknown_clients_404(client):
    _, soccer, _, alex = await _demo_like()
    outsider = await staff_member(soccer)
    await sign_in(client, outsider.email)
    real, made_up = str(alex.id), str(uuid.uuid4())

    forms = [await client.get(f"/clients/{some}/break-glass") for some in (real, made_up)]
    assert [form.status_code for form in forms] == [404, 404]
    assert _main(forms[0].text) == _main(forms[1].text)

    token = csrf_from((await client.get("/")).text)
    posts = [
        await client.post(
            f"/clients/{some}/break-glass", data={"reason": REASON, "_csrf_token": token}
        )
        for some in (real, made_up)
    ]
    assert [post.status_code for post in posts] == [404, 404]
    assert _main(posts[0].text) == _main(posts[1].text)
    # Without a reason too: the answer must not tell a real id from a made-up one.
    short = [
        await client.post(f"/clients/{some}/break-glass", data={"reason": "", "_csrf_token": token})
        for some in (real, made_up)
    ]
    assert [post.status_code for post in short] == [404, 404]

    assert await BreakGlass.count() == 0
    assert (await client.get(f"/clients/{real}")).status_code == 404
    refused = await AuditEvent.select(AuditEvent.subject_id).where(
        AuditEvent.action == "break_glass.refused"
    )
    assert sum(row["subject_id"] == real for row in refused) == 3
    assert sum(row["subject_id"] == made_up for row in refused) == 3


async def test_a_consent_naming_them_is_not_a_relationship_and_an_ended_one_is_gone():
    hub, soccer, housing, alex = await _demo_like()
    hub_worker = await staff_member(hub)
    # Named in a consent but never sent a referral: not working with Alex.
    await consent_to(alex.id, [soccer], [IDENTITY], obtained_by=hub_worker)
    named = principal(await staff_member(soccer), soccer)
    try:
        await open_break_glass(named, alex.id, BreakGlassRequest(reason=REASON))
    except NotFound:
        pass
    else:  # pragma: no cover - the attack worked
        raise AssertionError("break-glass opened without a relationship")

    # A referral that was open, then closed: the relationship ended with it.
    await involve(alex.id, housing, "referral:1")
    former = principal(await staff_member(housing), housing)
    await end_involvement(alex.id, housing.id, "referral:1", Actor.system())
    try:
        await open_break_glass(former, alex.id, BreakGlassRequest(reason=REASON))
    except NotFound:
        pass
    else:  # pragma: no cover - the attack worked
        raise AssertionError("break-glass opened after the relationship ended")
    assert await BreakGlass.count() == 0


async def test_an_involved_organisation_still_can(client):
    _, _, housing, alex = await _demo_like()
    await involve(alex.id, housing, "referral:1")
    worker = await staff_member(housing)
    await sign_in(client, worker.email)
    assert (await client.get(f"/clients/{alex.id}/break-glass")).status_code == 200
    token = csrf_from((await client.get(f"/clients/{alex.id}/break-glass")).text)
    opened = await client.post(
        f"/clients/{alex.id}/break-glass", data={"reason": REASON, "_csrf_token": token}
    )
    assert opened.status_code == 303
    assert "Threats from an ex-partner" in (await client.get(f"/clients/{alex.id}")).text
