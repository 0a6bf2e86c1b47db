"""Wide tables scroll inside their own labelled, focusable region on a phone, so the page
itself never scrolls sideways (found at 375 px on the inbox, staff, need-category and
organisation lists)."""

from __future__ import annotations

import re

from hub.settings import ROOT
from tests.referrals.factories import network, sent
from tests.support import make_staff, sign_in

REGION = r'<div class="wa-scroll" role="region" aria-label="{}" tabindex="0">\s*<table'
SCSS = ROOT / "static" / "scss" / "app.scss"


def test_the_region_scrolls_and_holds_its_hidden_words() -> None:
    rule = re.search(r"\.wa-scroll \{([^}]*)\}", SCSS.read_text())
    assert rule is not None
    assert "overflow-x: auto;" in rule.group(1)
    # Without a positioned region, a cell's visually hidden text (position: absolute) escapes
    # the scroll and the page scrolls sideways again (the staff list did, at 627 px).
    assert "position: relative;" in rule.group(1)


async def test_each_wide_list_scrolls_in_its_own_region(client) -> None:
    net = await network()
    await sent(net)
    admin = await make_staff(net.hub, is_org_admin=True, is_system_admin=True)
    await sign_in(client, admin.email)
    for path, label in [
        ("/referrals?box=sent", "Referrals"),
        ("/staff", "Staff"),
        ("/admin/taxonomy", "Need categories"),
        ("/admin/organisations", "Organisations"),
        ("/admin/retention", "Retention schedule"),
    ]:
        page = await client.get(path, follow_redirects=True)
        assert page.status_code == 200, path
        assert re.search(REGION.format(label), page.text), path
