"""Index documents: tokens, weekly minutes, and the quick open check agreeing with `is_open`."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from directory import schemas
from directory.hours import DatedException, OpeningHours, Rule
from directory.search.candidates import Document, haversine_km
from directory.search.documents import (
    build_document,
    clock_changes_near,
    decode_hours,
    encode_hours,
    name_key,
    open_tokens,
    weekly_intervals,
)
from directory.search.opening import Moment, exact_open, quick_open
from directory.search.synonyms import Synonyms
from directory.search.understanding import plan_query
from directory.search.vocabulary import Vocabulary
from tests.directory.factories import need, weekly

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def record(**values: object) -> schemas.ServiceRecord:
    """A listing in memory (nothing saved)."""
    return schemas.ServiceRecord(
        id=uuid.uuid4(),
        organisation_id=uuid.uuid4(),
        organisation_name="Hillcrest Futures",
        name=str(values.pop("name", "Tenancy Support")),
        **values,  # type: ignore[arg-type]
    )


def test_a_document_carries_filter_tokens():
    doc = build_document(
        record(
            terms=[need("housing", "Housing"), need("mental-health", "Mental health")],
            languages=[schemas.Language(id=uuid.uuid4(), code="PL", name="Polish")],
            referral_methods=["network"],
            schedules=[weekly("SA", 17, 19)],
            is_free=True,
        )
    )
    assert doc.categories == ["housing", "mental-health"]
    assert {"c_housing", "c_mental_health", "l_pl", "f_network", "f_accepting", "f_free"} <= set(
        doc.tokens
    )
    assert {"f_evenings", "f_weekends", "h_sa_17", "h_sa_18"} <= set(doc.tokens)
    assert "h_sa_19" not in doc.tokens
    assert "Hillcrest Futures" in doc.other
    assert "Mental health" in doc.other
    assert doc.week == [5 * 1440 + 17 * 60, 5 * 1440 + 19 * 60]  # flat, as stored


def test_opening_exceptions_become_tokens_and_closures_do_not():
    exceptions = [
        schemas.ScheduleException(id=uuid.uuid4(), on_date=date(2026, 12, 25)),
        schemas.ScheduleException(
            id=uuid.uuid4(),
            on_date=date(2026, 12, 23),
            closed=False,
            opens_at=time(18),
            closes_at=time(21),
        ),
    ]
    doc = build_document(record(exceptions=exceptions))
    assert "x_20261223" in doc.tokens
    assert "x_20261225" not in doc.tokens
    assert doc.exception_dates == ["20261223", "20261225"]


def test_names_and_queries_are_folded():
    assert name_key("The Pop-Up  Café!") == "the pop up cafe"
    vocabulary, synonyms = Vocabulary({}), Synonyms({})

    def typed(text: str) -> list[str]:
        return [word.typed for word in plan_query(text, vocabulary, synonyms).words]

    assert typed("Help with HOUSING and drink, housing") == ["housing", "drink"]
    assert typed("the") == ["the"]  # only stop words: keep them rather than match all
    assert typed('"hous"* OR c_food') == ["hous", "c", "food"]  # no index syntax leaks


def test_hours_survive_the_round_trip():
    hours = OpeningHours(
        rules=(Rule(("2MO",), time(9, 30), time(12), "MONTHLY", date(2026, 1, 1), None),),
        exceptions=(DatedException(date(2026, 12, 25), True),),
    )
    assert decode_hours(encode_hours(hours)) == hours


def test_monthly_or_dated_rules_have_no_weekly_minutes():
    monthly = OpeningHours(rules=(Rule(("2MO",), time(9), time(12), "MONTHLY"),))
    dated = OpeningHours(rules=(Rule(("MO",), time(9), time(12), valid_to=date(2027, 1, 1)),))
    assert weekly_intervals(monthly) is None
    assert weekly_intervals(dated) is None
    assert weekly_intervals(OpeningHours()) == []


def test_clock_changes_are_noticed_two_days_either_side():
    assert clock_changes_near(datetime(2026, 10, 25, 12, tzinfo=UTC))
    assert clock_changes_near(datetime(2026, 10, 24, 12, tzinfo=UTC))
    assert clock_changes_near(datetime(2026, 10, 26, 12, tzinfo=UTC))
    assert not clock_changes_near(datetime(2026, 11, 23, 12, tzinfo=UTC))
    assert open_tokens(datetime(2026, 10, 25, 12, tzinfo=UTC)) is None


def test_haversine_is_about_right():
    # Lochee to Dundee city centre is a little under 3 km.
    assert 2.3 < haversine_km(56.4685, -3.0210, 56.4620, -2.9707) < 3.3


times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
weekly_rules = st.builds(
    Rule,
    byday=st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True).map(tuple),
    opens_at=times,
    closes_at=times,
)
any_rules = st.one_of(
    weekly_rules,
    st.builds(
        Rule,
        byday=st.sampled_from([("1MO",), ("-1FR",), ("2SA", "2SU")]),
        opens_at=times,
        closes_at=times,
        freq=st.just("MONTHLY"),
    ),
    st.builds(
        Rule,
        byday=st.just(("TU", "TH")),
        opens_at=times,
        closes_at=times,
        valid_from=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    ),
)
days = st.dates(date(2026, 1, 1), date(2026, 12, 31))
exceptions = st.builds(
    DatedException,
    on_date=days,
    closed=st.booleans(),
    opens_at=times,
    closes_at=times,
)
moments = st.builds(
    lambda day, minutes: datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes),
    days,
    st.integers(0, 24 * 60 - 1),
)


def document(hours: OpeningHours) -> Document:
    """A document carrying only what the open checks read."""
    return Document.of(
        key=1,
        service_id=str(uuid.uuid4()),
        name_key="",
        point=(None, None),
        ages=(None, None),
        flags=0,
        categories=[],
        languages=[],
        week=weekly_intervals(hours),
        exception_dates=" ".join(f"{e.on_date:%Y%m%d}" for e in hours.exceptions),
    )


@settings(max_examples=300, deadline=None)
@given(
    rules=st.lists(weekly_rules, max_size=3),
    dated=st.lists(exceptions, max_size=2),
    at=moments,
)
def test_the_quick_check_agrees_with_is_open(rules, dated, at):
    hours = OpeningHours(rules=tuple(rules), exceptions=tuple(dated))
    quick = quick_open(document(hours), Moment.of(at))
    if quick is not None:
        assert quick is hours.is_open(at)


@settings(max_examples=400, deadline=None)
@given(
    rules=st.lists(any_rules, max_size=3),
    dated=st.lists(exceptions, max_size=3),
    at=st.one_of(
        moments,
        # Around the clocks changing, where minute arithmetic would be wrong.
        st.builds(
            lambda minutes: datetime(2026, 10, 24, tzinfo=UTC) + timedelta(minutes=minutes),
            st.integers(0, 3 * 24 * 60),
        ),
    ),
)
def test_the_exact_check_agrees_with_is_open(rules, dated, at):
    hours = OpeningHours(rules=tuple(rules), exceptions=tuple(dated))
    assert exact_open(hours, Moment.of(at)) is hours.is_open(at)


@settings(max_examples=300, deadline=None)
@given(
    rules=st.lists(any_rules, max_size=3),
    dated=st.lists(exceptions, max_size=2),
    at=moments,
)
def test_the_index_tokens_never_lose_an_open_service(rules, dated, at):
    schedules = [
        schemas.Schedule(
            id=uuid.uuid4(),
            freq=rule.freq,
            byday=",".join(rule.byday),
            opens_at=rule.opens_at,
            closes_at=rule.closes_at,
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
        )
        for rule in rules
    ]
    closures = [
        schemas.ScheduleException(
            id=uuid.uuid4(),
            on_date=e.on_date,
            closed=e.closed,
            opens_at=e.opens_at,
            closes_at=e.closes_at,
        )
        for e in dated
    ]
    listing = record(schedules=schedules, exceptions=closures)
    wanted = open_tokens(at)
    if wanted is not None and listing.hours().is_open(at):
        assert set(wanted) & set(build_document(listing).tokens)
