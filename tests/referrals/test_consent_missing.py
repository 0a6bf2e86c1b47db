"""With consent missing, the sender reads who has not agreed to share what with whom, and the
link records exactly that consent (organisation and categories ticked)."""

from __future__ import annotations

import re
from html import unescape

from consent import consents, policy
from consent.vocabulary import CONTACT, HEALTH, HOUSING, IDENTITY
from hub.audit import Actor
from referrals.tables import Referral
from tests.consent.fixtures import client, pooled
from tests.referrals.factories import network
from tests.referrals.test_pages import new_page, send_form
from tests.support import post_form, sign_in

__all__ = ["client", "pooled"]
CONSENT_LINK = re.compile(r'href="(/clients/[0-9a-f-]{36}/consents/new\?[^"]+)"')


def _checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" type="checkbox" value="([^"]+)" checked', html))


async def test_the_message_names_the_client_the_information_and_the_organisation(client):
    net = await network()  # Jo agreed to share identity, contact and needs with Housing First
    await sign_in(client, net.hub_worker.email)
    answer = await post_form(
        client,
        "/referrals/new",
        send_form(net, categories=[IDENTITY, CONTACT, HOUSING, HEALTH]),
        new_page(net),
    )
    assert answer.status_code == 422
    text = unescape(answer.text)
    assert "Jo has not agreed to share housing and health with Housing First" in text
    assert await Referral.count() == 0

    link = unescape(CONSENT_LINK.findall(answer.text)[-1])
    assert f"organisation={net.partner.id}" in link
    form = await client.get(link)
    assert form.status_code == 200
    assert _checked(form.text, "categories") == {HOUSING, HEALTH}
    assert str(net.partner.id) in _checked(form.text, "organisation_ids")


async def test_with_no_consent_at_all_it_says_nothing_is_agreed(client):
    net = await network()
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "test")
    await sign_in(client, net.hub_worker.email)
    answer = await post_form(client, "/referrals/new", send_form(net), new_page(net))
    assert answer.status_code == 422
    text = unescape(answer.text)
    assert "Jo has not agreed to share identity and contact details with Housing First" in text
    assert "no active consent names Housing First" in text
