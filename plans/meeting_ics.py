"""A meeting as a calendar invite (iCalendar via the `icalendar` library): METHOD:REQUEST when
arranged or moved (SEQUENCE bumped each time), METHOD:CANCEL when cancelled; the UID never
changes, so calendars update the one event.

The invite names the kind of meeting and links to it: no client name or other client data,
since calendars are shared and synced to phones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from uuid import UUID

import icalendar

from hub import clock
from hub.settings import get_settings

PRODUCT = "-//Wraparound//Meetings//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
FILENAME = "meeting.ics"

KIND_TITLES = {
    "planning": "Planning meeting",
    "review": "Review meeting",
    "closure": "Closure meeting",
    "family_group_conference": "Family group conference",
}


def content_type(method: str) -> str:
    """The MIME type an e-mailed invite carries (calendar clients read the method here)."""
    return f"text/calendar; charset=utf-8; method={method}"


def _host() -> str:
    base = get_settings().base_url
    return base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "wraparound.invalid"


def meeting_uid(meeting_id: UUID) -> str:
    """The event's UID: the same for every version of the meeting."""
    return f"meeting-{meeting_id}@{_host()}"


def meeting_ics(
    *,
    meeting_id: UUID,
    kind: str,
    starts_at: datetime,
    minutes_long: int,
    place: str,
    video_link: str,
    sequence: int,
    method: str,
    attendee_email: str = "",
) -> str:
    """The iCalendar text for one version of a meeting, for one recipient."""
    link = f"{get_settings().base_url}/plans/meetings/{meeting_id}"
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting_id))
    event.add("sequence", sequence)
    event.add("dtstamp", clock.now())
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=minutes_long))
    event.add("summary", KIND_TITLES.get(kind, "Meeting"))
    where = place or ("Video call" if video_link else "")
    if where:
        event.add("location", where)
    details = [f"A meeting about a support plan in Wraparound. Open it: {link}"]
    if video_link:
        details.append(f"Video link: {video_link}")
    event.add("description", "\n".join(details))
    event.add("url", link)
    organiser = icalendar.vCalAddress(f"mailto:{parseaddr(get_settings().mail_from)[1]}")
    organiser.params["cn"] = "Wraparound"
    event.add("organizer", organiser)
    if attendee_email:
        attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
        attendee.params["rsvp"] = "FALSE"
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()
