"""Synthetic directories of any size around Dundee, for demos, load tests and the search bench.

Fast at 100,000 services: listings are built in memory, written in batches with one
multi-row statement per table inside one transaction per batch, then indexed in bulk from
the same records (not one `upsert_service` per listing, which would load and diff each one).
No history or audit lines are written: nobody edited these listings.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from directory import schemas
from directory.search.backend import database_backend, meilisearch_backend
from directory.tables import (
    Language,
    Location,
    Phone,
    Schedule,
    ScheduleException,
    Service,
    ServiceAtLocation,
    ServiceTaxonomy,
)
from directory.taxonomy import NEED_CATEGORIES, NEED_TAXONOMY_ID, ensure_need_taxonomy, term_id
from hub import clock
from hub.db import insert_many, make_room_for_batch, transaction
from hub.tables import Organisation

BATCH = 2000
DUNDEE = (56.4620, -2.9707)
LOCHEE = (56.4685, -3.0210)
AREAS = (
    "Lochee",
    "Charleston",
    "Menzieshill",
    "Kirkton",
    "Ardler",
    "Fintry",
    "Whitfield",
    "Douglas",
    "Stobswell",
    "Hilltown",
    "Broughty Ferry",
    "Coldside",
    "Dryburgh",
    "St Mary's",
    "Camperdown",
    "the West End",
)
STREETS = ("High Street", "Liff Road", "South Road", "Perth Road", "Strathmartine Road")
# What each need category's services are called and what they do.
CATEGORY_WORDS: dict[str, tuple[tuple[str, ...], str]] = {
    "housing": (("Housing Advice", "Tenancy Support", "Homeless Hub"), "keeping a home"),
    "money": (("Money Advice", "Benefits Clinic", "Debt Help"), "benefits and debt"),
    "food": (("Food Larder", "Community Pantry", "Food Bank"), "food and meals"),
    "mental-health": (("Wellbeing Café", "Talking Space", "Mind Matters"), "mental health"),
    "substance-use": (("Recovery Café", "Harm Reduction", "Alcohol Support"), "drink and drugs"),
    "physical-health": (("Health Check", "Keep Well Clinic", "Pharmacy Drop-in"), "health"),
    "employability": (("Jobs Club", "Skills Centre", "Learning Hub"), "work and learning"),
    "family": (("Family Support", "Parents Group", "Kinship Care"), "families and children"),
    "social": (("Peer Support", "Men's Shed", "Walking Group"), "company and peer support"),
    "crisis": (("Crisis Line", "Emergency Help", "Safe Space"), "urgent help today"),
    "legal": (("Legal Advice", "Advocacy Service", "Court Support"), "legal advice"),
    "safety": (("Safe Haven", "Domestic Abuse Support", "Safety Service"), "staying safe"),
    "digital": (("Digital Drop-in", "Tech Help", "Get Online"), "phones and the internet"),
}
LANGUAGE_CHOICES = (
    ("pl", "Polish"),
    ("ar", "Arabic"),
    ("ur", "Urdu"),
    ("ro", "Romanian"),
    ("pa", "Punjabi"),
    ("zh", "Chinese (Mandarin)"),
    ("uk", "Ukrainian"),
    ("gd", "Gaelic"),
    ("bfi", "British Sign Language"),
)
# Weekly patterns: (byday, opens, closes); several rows make several intervals a day.
HOURS_PATTERNS: tuple[tuple[tuple[str, time, time], ...], ...] = (
    (("MO,TU,WE,TH,FR", time(9), time(17)),),
    (("MO,TU,WE,TH,FR", time(9, 30), time(16, 30)),),
    (("MO,TU,WE,TH,FR", time(9), time(13)), ("MO,TU,WE,TH", time(18), time(21))),
    (("MO,WE,FR", time(10), time(15)),),
    (("TU,TH", time(13), time(20)),),
    (("SA,SU", time(10), time(14)),),
    (("MO,TU,WE,TH,FR", time(8), time(18)), ("SA", time(9), time(12, 30))),
    (("FR,SA", time(22), time(6)),),
    (("MO,TU,WE,TH,FR,SA,SU", time(0), time(0)),),
    (("MO,TU,WE,TH", time(17), time(21, 30)),),
)
BANK_HOLIDAYS = (date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1), date(2027, 1, 4))


@dataclass
class Batch:
    """Rows for one batch, table by table, and the listings they make."""

    organisations: list[dict[str, Any]]
    records: list[schemas.ServiceRecord]


def _uuid(rng: random.Random) -> uuid.UUID:
    # Version 4 bits set by hand: uuid.UUID(version=4) costs twice as much.
    value = rng.getrandbits(128) & ~(0xF000 << 64) | (0x4000 << 64)
    return uuid.UUID(int=value & ~(0xC000 << 48) | (0x8000 << 48))


def _point(rng: random.Random) -> tuple[float, float]:
    centre = LOCHEE if rng.random() < 0.25 else DUNDEE
    spread = 0.012 if centre is LOCHEE else 0.035
    return (
        round(centre[0] + rng.gauss(0, spread), 6),
        round(centre[1] + rng.gauss(0, spread * 1.8), 6),
    )


class Generator:
    """Makes listings reproducibly from a seed."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = random.Random(seed)
        # Not from the seed: organisation names must differ from any earlier run's.
        self.run = secrets.token_hex(3)
        self.now = clock.now()
        self.terms = {
            code: schemas.Term(id=term_id(code), code=code, name=name, taxonomy_id=NEED_TAXONOMY_ID)
            for code, name, _ in NEED_CATEGORIES
        }

    def organisation(self, number: int) -> dict[str, Any]:
        """One organisation row (names are unique per run)."""
        area = self.rng.choice(AREAS)
        kind = self.rng.choice(("Trust", "Project", "Network", "Partnership", "Association"))
        return {
            "id": _uuid(self.rng),
            "name": f"{area} Community {kind} {self.run}-{number:06d}",
            "kind": "partner",
            "created_at": self.now,
        }

    def service(self, organisation: dict[str, Any]) -> schemas.ServiceRecord:
        """One whole listing (the same seed draws the same listings, in the same order)."""
        rng = self.rng
        codes = rng.sample(list(CATEGORY_WORDS), k=rng.choice((1, 1, 2, 2, 3)))
        nouns, what = CATEGORY_WORDS[codes[0]]
        area = rng.choice(AREAS)
        service_id = _uuid(rng)
        point = _point(rng)
        location_id = _uuid(rng)
        languages = self.languages()
        schedules = self.weekly_hours()
        exceptions = self.bank_holiday_closures()
        capacity = rng.choices(
            ("accepting", "waitlist", "not_accepting", "assessment_first"), (6, 2, 1, 1)
        )[0]
        minimum, maximum = rng.choice(
            ((None, None), (None, None), (16, 25), (18, None), (None, 18))
        )
        verified = self.now - timedelta(days=rng.randint(0, 365))
        return schemas.ServiceRecord(
            id=service_id,
            organisation_id=organisation["id"],
            organisation_name=organisation["name"],
            name=f"{area} {rng.choice(nouns)}",
            description=_description(codes, area, what),
            is_free=rng.random() < 0.85,
            minimum_age=minimum,
            maximum_age=maximum,
            referral_methods=sorted(
                rng.sample(["network", "phone", "self", "drop_in"], k=rng.randint(1, 3))
            ),
            capacity_status=capacity,
            capacity_waitlist_weeks=rng.randint(2, 12) if capacity == "waitlist" else None,
            capacity_updated_at=verified,
            response_target_days=rng.choice((2, 3, 5, 10)),
            verified_at=verified,
            created_at=self.now,
            updated_at=self.now,
            locations=[self.location(location_id, organisation["id"], area, point)],
            phones=[schemas.Phone(id=_uuid(rng), number=f"01382 {rng.randint(100000, 999999)}")],
            languages=languages,
            terms=[self.terms[code] for code in codes],
            schedules=schedules,
            exceptions=exceptions,
        )

    def languages(self) -> list[schemas.Language]:
        """English, and up to two more languages spoken."""
        rng = self.rng
        languages = [schemas.Language(id=_uuid(rng), code="en", name="English")]
        for code, name in rng.sample(LANGUAGE_CHOICES, k=rng.choice((0, 0, 0, 1, 1, 2))):
            languages.append(schemas.Language(id=_uuid(rng), code=code, name=name))
        return languages

    def weekly_hours(self) -> list[schemas.Schedule]:
        """One of the weekly patterns; now and then a monthly first-Saturday session too."""
        rng = self.rng
        schedules = [
            schemas.Schedule(
                id=_uuid(rng), freq="WEEKLY", byday=byday, opens_at=opens, closes_at=closes
            )
            for byday, opens, closes in rng.choice(HOURS_PATTERNS)
        ]
        if rng.random() < 0.05:
            schedules.append(
                schemas.Schedule(
                    id=_uuid(rng),
                    freq="MONTHLY",
                    byday="1SA",
                    opens_at=time(10),
                    closes_at=time(13),
                )
            )
        return schedules

    def bank_holiday_closures(self) -> list[schemas.ScheduleException]:
        """Closed on the bank holidays, for about a third of listings."""
        if self.rng.random() >= 0.3:
            return []
        return [
            schemas.ScheduleException(id=_uuid(self.rng), on_date=day, description="Bank holiday")
            for day in BANK_HOLIDAYS
        ]

    def location(
        self, location_id: uuid.UUID, organisation_id: Any, area: str, point: tuple[float, float]
    ) -> schemas.Location:
        """The listing's one place, with a Dundee street address and postcode."""
        rng = self.rng
        return schemas.Location(
            id=location_id,
            organisation_id=organisation_id,
            name=f"{area} centre",
            address_1=f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
            city="Dundee",
            postal_code=f"DD{rng.randint(1, 5)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}"
            f"{rng.choice('LNPQRSTUWXYZ')}",
            latitude=point[0],
            longitude=point[1],
        )

    def batch(self, size: int, first_number: int) -> Batch:
        """`size` listings run by new organisations of about five listings each."""
        organisations: list[dict[str, Any]] = []
        records: list[schemas.ServiceRecord] = []
        for index in range(size):
            if index % 5 == 0:
                organisations.append(self.organisation(first_number + index))
            records.append(self.service(organisations[-1]))
        return Batch(organisations, records)


def _description(codes: Sequence[str], area: str, what: str) -> str:
    helps = ", ".join(CATEGORY_WORDS[code][1] for code in codes)
    return (
        f"Help with {helps} for people in and around {area}. "
        f"Come and talk to us about {what}: we listen, help you work out what you need "
        "and stay with you until it is sorted."
    )


LISTING_TABLES = (
    Service,
    Location,
    ServiceAtLocation,
    Phone,
    Language,
    Schedule,
    ScheduleException,
    ServiceTaxonomy,
)
Row = dict[str, Any]


def table_rows(records: Sequence[schemas.ServiceRecord]) -> dict[Any, list[Row]]:
    """Rows per table for whole listings (what `upsert_service` would write, minus history)."""
    rows: dict[Any, list[Row]] = {table: [] for table in LISTING_TABLES}
    for record in records:
        for table, row in listing_rows(record):
            rows[table].append(row)
    return rows


def listing_rows(record: schemas.ServiceRecord) -> Iterator[tuple[Any, Row]]:
    """Every row one listing writes, each with its table."""
    yield Service, service_row(record)
    for loc in record.locations:
        yield Location, location_row(record, loc)
        yield ServiceAtLocation, {"id": uuid.uuid4(), "service": record.id, "location": loc.id}
    for phone in record.phones:
        yield Phone, {"id": phone.id, "service": record.id, "number": phone.number}
    for language in record.languages:
        yield (
            Language,
            {"id": language.id, "service": record.id, "code": language.code, "name": language.name},
        )
    yield from opening_hours_rows(record)
    for term in record.terms:
        yield ServiceTaxonomy, {"id": uuid.uuid4(), "service": record.id, "taxonomy_term": term.id}


def service_row(record: schemas.ServiceRecord) -> Row:
    """The listing's own row."""
    return {
        "id": record.id,
        "organisation": record.organisation_id,
        "name": record.name,
        "description": record.description,
        "status": record.status,
        "is_free": record.is_free,
        "minimum_age": record.minimum_age,
        "maximum_age": record.maximum_age,
        "referral_methods": ",".join(record.referral_methods),
        "capacity_status": record.capacity_status,
        "capacity_waitlist_weeks": record.capacity_waitlist_weeks,
        "capacity_updated_at": record.capacity_updated_at,
        "response_target_days": record.response_target_days,
        "verified_at": record.verified_at,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


def location_row(record: schemas.ServiceRecord, loc: schemas.Location) -> Row:
    """One of the listing's places."""
    return {
        "id": loc.id,
        "organisation": loc.organisation_id,
        "name": loc.name,
        "address_1": loc.address_1,
        "city": loc.city,
        "postal_code": loc.postal_code,
        "country": loc.country,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "updated_at": record.updated_at,
    }


def opening_hours_rows(record: schemas.ServiceRecord) -> Iterator[tuple[Any, Row]]:
    """The listing's weekly and monthly hours, then its dated closures."""
    for rule in record.schedules:
        yield (
            Schedule,
            {
                "id": rule.id,
                "service": record.id,
                "freq": rule.freq,
                "byday": rule.byday,
                "opens_at": rule.opens_at,
                "closes_at": rule.closes_at,
            },
        )
    for exception in record.exceptions:
        yield (
            ScheduleException,
            {
                "id": exception.id,
                "service": record.id,
                "on_date": exception.on_date,
                "closed": exception.closed,
                "description": exception.description,
            },
        )


async def insert_rows(table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with one prepared statement, in the transaction in progress."""
    if not rows:
        return
    names = list(rows[0])
    await insert_many(table._meta.tablename, names, [[row[n] for n in names] for row in rows])


Progress = Callable[[int, int], None]


async def generate_directory(
    count: int, *, seed: int | None = None, progress: Progress | None = None
) -> int:
    """Write `count` synthetic listings and index them; returns how many were written.

    `progress` is told (done, total) after each batch is written and indexed.
    """
    await ensure_need_taxonomy()
    generator = Generator(seed)
    backends = [database_backend()]
    meili = meilisearch_backend()
    if meili is not None:
        backends.append(meili)
    written = 0
    if progress:
        progress(0, count)
    for start in range(0, count, BATCH):
        batch = generator.batch(min(BATCH, count - start), start)
        rows = table_rows(batch.records)
        async with transaction():
            await make_room_for_batch(262144)
            await insert_rows(Organisation, batch.organisations)
            for table, table_batch in rows.items():
                await insert_rows(table, table_batch)
            await backends[0].index_records(batch.records)
        for backend in backends[1:]:
            await backend.index_records(batch.records)
        written += len(batch.records)
        if progress:
            progress(written, count)
    await backends[0].optimise()
    return written
