"""/demo/mail: the e-mails the demo's mail catcher caught, for staff trying the demo."""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.response import Template

from hub.accounts.guards import requires_staff
from hub.errors import NotFound
from hub.mail_catcher import caught, count_caught
from hub.settings import get_settings
from hub.web.responses import page


@get("/demo/mail", name="demo.mail", guards=[requires_staff], include_in_schema=False)
async def demo_mail() -> Template:
    """The caught messages, newest first; there is no such page outside the demo."""
    folder = get_settings().demo_mail_dir
    if not folder:
        msg = "No such page"
        raise NotFound(msg)
    messages, total = caught(Path(folder)), count_caught(Path(folder))
    return page("hub/demo_mail.html", folder=folder, messages=messages, total=total)
