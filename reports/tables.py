"""Feedback in people's own words, and the monthly figures partners publish to the hub."""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from hub.tables import Organisation


class Feedback(Table):
    """One anonymous piece of feedback: a rating of 1 to 5 and optional words.

    Nothing links it to a person: it is about a session, a partner's service (after a
    referral) or a signposting hand-over, and the organisation that ran it.
    """

    id = UUID(primary_key=True)
    about = Varchar(length=16)  # session | service | signposting
    session_id = UUID(null=True, default=None, index=True)
    service_id = UUID(null=True, default=None, index=True)
    organisation_id = UUID(null=True, default=None, index=True)
    title = Varchar(length=300, default="")  # what it was about, as named then
    rating = Integer()
    comment = Text(default="")
    given_at = Timestamptz(index=True)


class PublishedFigures(Table):
    """A partner's monthly figures (already small-number safe) as published to the hub."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    month = Date(index=True)  # its first day
    figures = Text(default="{}")  # JSON: the report's sections as shown
    published_at = Timestamptz()
    published_by = UUID(null=True, default=None)
