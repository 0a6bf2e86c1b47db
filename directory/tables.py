"""Directory tables: HSDS 3.0 / Open Referral UK entities plus what hub staff need beyond them."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from hub.tables import Organisation, Staff


class OrganisationProfile(Table):
    """HSDS organisation fields for a network organisation (or one only listed, not a member)."""

    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, unique=True)
    alternate_name = Varchar(length=200, default="")
    description = Text(default="")
    website = Varchar(length=500, default="")
    email = Varchar(length=254, default="")
    legal_status = Varchar(length=100, default="")
    updated_at = Timestamptz()


class Taxonomy(Table):
    """A taxonomy (vocabulary) that terms belong to, e.g. Wraparound's need categories."""

    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    description = Text(default="")
    uri = Varchar(length=500, default="")
    version = Varchar(length=50, default="")


class TaxonomyTerm(Table):
    """One term, e.g. `housing`; `code` is the stable slug used in filters and URLs."""

    id = UUID(primary_key=True)
    taxonomy = ForeignKey(references=Taxonomy, on_delete=OnDelete.cascade, index=True)
    code = Varchar(length=100, index=True)
    name = Varchar(length=200)
    description = Text(default="")
    parent_id = UUID(null=True, default=None)
    position = Integer(default=0)
    synonyms = Text(default="")
    """Everyday words and phrases for this need, one per line ("drugs", "food bank")."""


class Service(Table):
    """A service an organisation offers; HSDS service plus how to refer, capacity and checks."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=300, index=True)
    alternate_name = Varchar(length=300, default="")
    description = Text(default="")
    url = Varchar(length=500, default="")
    email = Varchar(length=254, default="")
    status = Varchar(length=32, default="active")  # active|inactive|defunct|temporarily closed
    fees_description = Text(default="")
    is_free = Boolean(default=True)
    eligibility_description = Text(default="")
    minimum_age = Integer(null=True, default=None)
    maximum_age = Integer(null=True, default=None)
    # How to refer: comma-separated subset of network,phone,self,drop_in.
    referral_methods = Varchar(length=100, default="")
    referral_instructions = Text(default="")
    # Capacity: accepting|waitlist|not_accepting|assessment_first.
    capacity_status = Varchar(length=32, default="accepting")
    capacity_waitlist_weeks = Integer(null=True, default=None)
    capacity_note = Text(default="")
    capacity_updated_at = Timestamptz(null=True, default=None)
    response_target_days = Integer(null=True, default=None)  # working days
    assured_date = Date(null=True, default=None)  # last verified (HSDS)
    verified_by = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    verified_at = Timestamptz(null=True, default=None)
    staleness_notified_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz(index=True)


class Location(Table):
    """A place services are delivered from, with its point for distance."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=300, default="")
    description = Text(default="")
    transportation = Text(default="")  # how to get there
    address_1 = Varchar(length=300, default="")
    address_2 = Varchar(length=300, default="")
    city = Varchar(length=100, default="")
    region = Varchar(length=100, default="")
    postal_code = Varchar(length=16, default="")
    country = Varchar(length=2, default="GB")
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    updated_at = Timestamptz()


class ServiceAtLocation(Table):
    """Where a service is delivered."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    location = ForeignKey(references=Location, on_delete=OnDelete.cascade, index=True)
    description = Text(default="")


class Accessibility(Table):
    """Accessibility of a location (HSDS `accessibility`)."""

    id = UUID(primary_key=True)
    location = ForeignKey(references=Location, on_delete=OnDelete.cascade, index=True)
    description = Text(default="")
    details = Text(default="")
    url = Varchar(length=500, default="")


class Contact(Table):
    """A named contact for a service."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, default="")
    title = Varchar(length=200, default="")
    department = Varchar(length=200, default="")
    email = Varchar(length=254, default="")


class Phone(Table):
    """A phone number of a service or a location."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, null=True, index=True)
    location = ForeignKey(references=Location, on_delete=OnDelete.cascade, null=True, index=True)
    number = Varchar(length=50)
    extension = Varchar(length=20, default="")
    type = Varchar(length=20, default="voice")
    description = Text(default="")


class ServiceArea(Table):
    """Where a service's clients may live."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200, default="")
    description = Text(default="")


class Language(Table):
    """A language a service is offered in (ISO 639 code and name)."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    code = Varchar(length=10, index=True)
    name = Varchar(length=100, default="")


class CostOption(Table):
    """A cost of a service (HSDS `cost_option`)."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    option = Varchar(length=200, default="")
    amount = Float(null=True, default=None)
    currency = Varchar(length=3, default="GBP")
    amount_description = Text(default="")


class ServiceTaxonomy(Table):
    """A taxonomy term attached to a service (HSDS 3.0 `attribute`)."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, index=True)
    taxonomy_term = ForeignKey(references=TaxonomyTerm, on_delete=OnDelete.cascade, index=True)


class Schedule(Table):
    """A weekly or monthly opening rule (RFC 5545 RRULE fields, as HSDS `schedule`).

    `byday` holds RRULE BYDAY values: `MO,TU` weekly, or `2MO` / `-1FR` monthly. Several rows
    make several intervals a day. `closes_at` <= `opens_at` means it closes after midnight.
    Belongs to a service, or to a location (then it applies to every service there).
    """

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, null=True, index=True)
    location = ForeignKey(references=Location, on_delete=OnDelete.cascade, null=True, index=True)
    freq = Varchar(length=10, default="WEEKLY")  # WEEKLY | MONTHLY
    byday = Varchar(length=100)
    opens_at = Time()
    closes_at = Time()
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    description = Text(default="")


class ScheduleException(Table):
    """A dated exception HSDS lacks: closed all day, or open at other hours on that date."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade, null=True, index=True)
    location = ForeignKey(references=Location, on_delete=OnDelete.cascade, null=True, index=True)
    on_date = Date(index=True)
    closed = Boolean(default=True)
    opens_at = Time(null=True, default=None)
    closes_at = Time(null=True, default=None)
    description = Varchar(length=200, default="")


class ServiceChange(Table):
    """One kept change to a listing: who, when, and each field's before and after (JSON)."""

    service_id = UUID(index=True)
    changed_by = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    changed_at = Timestamptz(index=True)
    summary = Varchar(length=300, default="")
    changes = Text(default="{}")


class Postcode(Table):
    """A postcode's point, for distance from a postcode (normalised: upper case, no spaces)."""

    postcode = Varchar(length=8, primary_key=True)
    latitude = Float()
    longitude = Float()


class SignpostList(Table):
    """Services a hub worker picked for a visitor; shared by an unguessable token for 30 days."""

    id = UUID(primary_key=True)
    token = Varchar(length=64, unique=True)
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.cascade, index=True)
    created_by = ForeignKey(references=Staff, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)  # set when handed over
    handed_over_at = Timestamptz(null=True, default=None)


class SignpostItem(Table):
    """One service on a signposting list."""

    signpost_list = ForeignKey(references=SignpostList, on_delete=OnDelete.cascade, index=True)
    service = ForeignKey(references=Service, on_delete=OnDelete.cascade)
    position = Integer(default=0)


class SignpostCount(Table):
    """Anonymous count of signpostings per need category per day (for monitoring)."""

    day = Date(index=True)
    category_code = Varchar(length=100)
    total = Integer(default=0)
