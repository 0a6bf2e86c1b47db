"""How and when the client asked to be contacted (recorded at registration) fills in the
referral form, travels with the referral and is shown to the receiving service."""

from __future__ import annotations

import re
from html import unescape

from consent import record
from consent.schemas import ContactDetails
from consent.vocabulary import CONTACT, IDENTITY
from hub.db import transaction
from referrals.tables import Referral
from tests.consent.fixtures import client, other_client, pooled
from tests.referrals.factories import network
from tests.referrals.test_pages import new_page, send_form
from tests.support import post_form, sign_in

__all__ = ["client", "other_client", "pooled"]
SAFE_TIMES = "Weekdays after 3pm; never leave a voicemail"


async def _recorded_preferences(net) -> None:
    async with transaction():
        await record.write_entry(
            net.client.id,
            CONTACT,
            ContactDetails(phone="07700 900123", preferred_contact="text", safe_times=SAFE_TIMES),
            net.hub.id,
            None,
        )


async def test_the_form_is_filled_in_and_the_receiver_sees_the_preferences(client, other_client):
    net = await network()  # consent covers identity, contact and needs for Housing First
    await _recorded_preferences(net)
    await sign_in(client, net.hub_worker.email)

    form = await client.get(new_page(net))
    assert form.status_code == 200
    assert re.search(r'name="contact_how" type="radio" value="text" checked', form.text)
    assert SAFE_TIMES in unescape(form.text)
    assert "Filled in from what Robin Client asked for" in form.text

    sent = await post_form(
        client,
        "/referrals/new",
        send_form(net, contact_how="text", contact_when=SAFE_TIMES, categories=[IDENTITY, CONTACT]),
        new_page(net),
    )
    assert sent.status_code == 303
    row = await Referral.select(Referral.id, Referral.contact_how, Referral.contact_when).first()
    assert (row["contact_how"], row["contact_when"]) == ("text", SAFE_TIMES)

    async with other_client() as partner:
        await sign_in(partner, net.partner_worker.email)
        page = unescape((await partner.get(f"/referrals/{row['id']}")).text)
        assert "Text message" in page
        assert SAFE_TIMES in page


async def test_without_recorded_preferences_nothing_is_guessed(client):
    net = await network()
    await sign_in(client, net.hub_worker.email)
    form = await client.get(new_page(net))
    assert not re.search(r'name="contact_how" type="radio" value="[a-z_]+" checked', form.text)
    assert "Filled in from what" not in form.text
