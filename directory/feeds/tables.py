"""A registered feed, and which listings came from it under which id."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from directory.tables import Service
from hub.tables import Organisation


class Feed(Table):
    """An Open Referral UK API pulled every `every_hours`, and what its last pull did."""

    id = UUID(primary_key=True)
    url = Varchar(length=500, unique=True)
    publisher = ForeignKey(references=Organisation, on_delete=OnDelete.restrict)
    every_hours = Integer(default=24)
    created_at = Timestamptz()
    last_started_at = Timestamptz(null=True, default=None)
    last_pulled_at = Timestamptz(null=True, default=None)
    last_full_at = Timestamptz(null=True, default=None)  # last pull that read every listing
    last_seconds = Float(null=True, default=None)
    last_status = Varchar(length=16, default="never")  # never | ok | incomplete | held | failed
    last_message = Text(default="")
    last_counts = Text(default="{}")  # JSON: created, updated, unchanged, refused, hidden
    report = Text(default="")  # the last pull's problems, as CSV


class FeedListing(Table):
    """A listing that came from a feed: its id there, when the feed last had it."""

    id = UUID(primary_key=True)
    feed = ForeignKey(references=Feed, on_delete=OnDelete.cascade, index=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    key = Varchar(length=200)
    last_seen_at = Timestamptz()
    missing_since = Timestamptz(null=True, default=None)


class DuplicateFlag(Table):
    """Two listings that look like one service (from two feeds, or a feed and a local one)."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    other = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    reason = Varchar(length=100)
    status = Varchar(length=16, default="open")  # open | merged | kept_apart
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
