"""Search conformance: every available backend fixes the same ranking, filter and facet basics.

Runs on the database's own index (SQLite FTS5 or PostgreSQL, whichever this run uses) and on
Meilisearch when MEILISEARCH_URL is set.
"""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, time

import msgspec
import pytest

from directory import schemas
from directory.hours import LONDON
from directory.search.backend import SearchBackend, database_backend, meilisearch_backend
from directory.search.schemas import GeoPoint, SearchQuery, SearchResults
from directory.search.sync import SYNC_JOB, search_sync_job
from directory.store import upsert_service
from directory.tables import Service
from hub import clock, outbox
from hub.audit import Actor
from hub.db import close_pool, get_engine, open_pool, raw, transaction
from tests.directory.factories import LOCHEE, location, make_service, need, weekly
from tests.support import make_organisation

BACKENDS = ["database", *(["meilisearch"] if os.environ.get("MEILISEARCH_URL") else [])]
ORIGIN = GeoPoint(*LOCHEE)
NEAR = (56.4730, -3.0210)  # about 0.5 km north of Lochee
MIDDLE = (56.4955, -3.0210)  # about 3 km
FAR = (56.5585, -3.0210)  # about 10 km
MONDAY_AFTERNOON = datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)


@pytest.fixture(scope="module", autouse=True)
async def pooled():
    """A connection pool on PostgreSQL (a new connection per query made these tests slow)."""
    engine = get_engine()
    await open_pool(engine)
    yield
    await close_pool(engine)


@pytest.fixture(autouse=True)
async def empty_search_index(clean_database: None) -> None:
    """The index too: on PostgreSQL the clean-up's DELETEs skip foreign-key cascades."""
    await raw("DELETE FROM directory_search_doc")


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> SearchBackend:
    """Each backend this run can reach, empty."""
    if request.param == "meilisearch":
        meili = meilisearch_backend()
        assert meili is not None
        await meili.setup()
        await meili.rebuild()  # the tables were emptied: so is the index
        return meili
    return database_backend()


async def find(backend: SearchBackend, **values: object) -> SearchResults:
    """Search, after letting Meilisearch catch up through the outbox."""
    if backend.name == "meilisearch":
        while await outbox.run_once({SYNC_JOB: search_sync_job}, "conformance-tests"):
            pass
    return await backend.search(msgspec.convert(values, SearchQuery))


def polish() -> schemas.Language:
    """Polish, as a new language row."""
    return schemas.Language(id=uuid.uuid4(), code="pl", name="Polish")


def names(results: SearchResults, services: list[schemas.ServiceRecord]) -> list[str]:
    """The names of the hits, in order."""
    by_id = {service.id: service.name for service in services}
    return [by_id.get(hit.service_id, "?") for hit in results.items]


async def test_exact_name_comes_first(backend):
    org = await make_organisation()
    services = [
        await make_service(
            org, name="Dundee Housing Support", description="Housing help, housing advice"
        ),
        await make_service(org, name="Housing Options", description="Housing housing housing"),
        await make_service(org, name="Housing", description="Somewhere to stay"),
        await make_service(org, name="Food Larder", description="Food, and housing signposting"),
    ]
    results = await find(backend, text="housing")
    assert results.total == 4
    assert names(results, services)[0] == "Housing"
    assert names(results, services)[-1] == "Food Larder"  # a name match beats the description


async def test_a_prefix_finds_the_whole_word(backend):
    org = await make_organisation()
    services = [
        await make_service(org, name="Housing First", description="Keys first"),
        await make_service(org, name="Food Larder", description="Groceries"),
    ]
    results = await find(backend, text="hous")
    assert names(results, services) == ["Housing First"]


async def test_a_typo_still_finds_housing(backend):
    org = await make_organisation()
    services = [
        await make_service(org, name="Housing First", description="Keys first"),
        await make_service(org, name="Food Larder", description="Groceries"),
    ]
    results = await find(backend, text="houssing")
    assert names(results, services) == ["Housing First"]


async def test_words_can_match_any_column(backend):
    org = await make_organisation(name="Hillcrest Futures")
    services = [
        await make_service(org, name="Tenancy Sustainment", terms=[need("housing", "Housing")]),
        await make_service(org, name="Food Larder", description="Groceries"),
    ]
    # Every word matches only one; the other, matching one word, comes after it.
    assert names(await find(backend, text="hillcrest tenancy"), services) == [
        "Tenancy Sustainment",
        "Food Larder",
    ]
    assert names(await find(backend, text="housing"), services) == ["Tenancy Sustainment"]


async def test_filters_are_and(backend):
    org = await make_organisation()
    services = [
        await make_service(
            org, name="Both", terms=[need("housing"), need("substance-use")], is_free=True
        ),
        await make_service(org, name="Housing only", terms=[need("housing")], is_free=True),
        await make_service(
            org,
            name="Both but phone",
            terms=[need("housing"), need("substance-use")],
            referral_methods=["phone"],
        ),
        await make_service(org, name="Not free", terms=[need("housing")], is_free=False),
    ]
    results = await find(backend, categories=["housing", "substance-use"])
    assert sorted(names(results, services)) == ["Both", "Both but phone"]
    results = await find(
        backend, categories=["housing", "substance-use"], accepts_network_referrals=True
    )
    assert names(results, services) == ["Both"]
    results = await find(backend, categories=["housing"], free=True)
    assert sorted(names(results, services)) == ["Both", "Both but phone", "Housing only"]


async def test_capacity_language_and_age_filters(backend):
    org = await make_organisation()
    services = [
        await make_service(org, name="Young Polish", languages=[polish()], maximum_age=25),
        await make_service(org, name="Adult Polish", languages=[polish()], minimum_age=26),
        await make_service(org, name="Full", capacity_status="not_accepting"),
        await make_service(org, name="Waitlist", capacity_status="waitlist"),
    ]
    assert sorted(names(await find(backend, language="pl"), services)) == [
        "Adult Polish",
        "Young Polish",
    ]
    assert names(await find(backend, language="pl", age=19), services) == ["Young Polish"]
    assert "Full" not in names(await find(backend, accepting_now=True), services)
    assert "Waitlist" not in names(await find(backend, accepting_now=True), services)
    assert len((await find(backend, age=40)).items) == 3


async def test_facet_counts_match_the_results(backend):
    clock.freeze(MONDAY_AFTERNOON)
    org = await make_organisation()
    await make_service(org, name="A", terms=[need("housing"), need("food")], languages=[polish()])
    await make_service(
        org, name="B", terms=[need("housing")], schedules=[weekly("SA", 18, 22)], is_free=False
    )
    await make_service(
        org, name="C", terms=[need("food")], referral_methods=["phone"], languages=[polish()]
    )
    await make_service(org, name="D", terms=[need("money")], capacity_status="waitlist")
    await make_service(org, name="E", terms=[need("housing")], schedules=[weekly("MO", 18, 20)])
    base = await find(backend)
    facets = base.facets
    assert base.total == 5
    assert facets.categories == {"housing": 3, "food": 2, "money": 1}
    assert facets.languages == {"pl": 2}
    assert (facets.open_now, facets.evenings, facets.weekends) == (3, 2, 1)
    assert (facets.network, facets.accepting, facets.free) == (4, 4, 4)
    for code, count in facets.categories.items():
        assert (await find(backend, categories=[code])).total == count
    checks = {
        "open_now": facets.open_now,
        "evenings": facets.evenings,
        "weekends": facets.weekends,
        "accepts_network_referrals": facets.network,
        "accepting_now": facets.accepting,
        "free": facets.free,
    }
    for name, count in checks.items():
        assert (await find(backend, **{name: True})).total == count, name
    assert (await find(backend, language="pl")).total == 2
    # Within a narrowed search, the counts are of that search's results.
    housing = await find(backend, categories=["housing"])
    assert housing.facets.categories == {"housing": 3, "food": 1}
    assert (await find(backend, categories=["housing", "food"])).total == 1


async def test_open_now_respects_a_bank_holiday(backend):
    christmas = date(2026, 12, 25)  # a Friday
    org = await make_organisation()
    services = [
        await make_service(
            org,
            name="Closed for Christmas",
            exceptions=[schemas.ScheduleException(id=uuid.uuid4(), on_date=christmas)],
        ),
        await make_service(org, name="Open all year"),
    ]
    clock.freeze(datetime(2026, 12, 25, 11, 0, tzinfo=LONDON))
    results = await find(backend, open_now=True)
    assert names(results, services) == ["Open all year"]
    assert (await find(backend)).facets.open_now == 1
    clock.freeze(datetime(2026, 12, 24, 11, 0, tzinfo=LONDON))
    assert (await find(backend, open_now=True)).total == 2


async def test_open_now_includes_a_one_off_late_opening(backend):
    org = await make_organisation()
    late = schemas.ScheduleException(
        id=uuid.uuid4(),
        on_date=date(2026, 12, 23),
        closed=False,
        opens_at=time(18, 30),
        closes_at=time(21, 0),
    )
    services = [
        await make_service(org, name="Late night shopping", exceptions=[late]),
        await make_service(org, name="Usual hours"),
    ]
    clock.freeze(datetime(2026, 12, 23, 19, 0, tzinfo=LONDON))
    assert names(await find(backend, open_now=True), services) == ["Late night shopping"]
    clock.freeze(datetime(2026, 12, 23, 18, 15, tzinfo=LONDON))
    assert (await find(backend, open_now=True)).total == 0  # to the minute


async def test_open_now_across_midnight(backend):
    org = await make_organisation()
    services = [
        await make_service(org, name="Night shelter", schedules=[weekly("FR,SA", 22, 6)]),
        await make_service(org, name="Day centre"),
    ]
    clock.freeze(datetime(2026, 11, 28, 3, 0, tzinfo=LONDON))  # Saturday small hours
    assert names(await find(backend, open_now=True), services) == ["Night shelter"]
    clock.freeze(datetime(2026, 11, 23, 3, 0, tzinfo=LONDON))  # Monday small hours
    assert (await find(backend, open_now=True)).total == 0


async def test_open_now_when_the_clocks_go_back(backend):
    org = await make_organisation()
    services = [await make_service(org, name="Night shelter", schedules=[weekly("SA", 22, 6)])]
    # 25 October 2026: the clocks go back at 02:00 BST; the shelter opens nine hours.
    clock.freeze(datetime(2026, 10, 25, 5, 30, tzinfo=LONDON))
    assert names(await find(backend, open_now=True), services) == ["Night shelter"]
    clock.freeze(datetime(2026, 10, 25, 6, 0, tzinfo=LONDON))
    assert (await find(backend, open_now=True)).total == 0


async def test_open_at_a_chosen_time(backend):
    clock.freeze(MONDAY_AFTERNOON)
    org = await make_organisation()
    services = [
        await make_service(org, name="Saturday club", schedules=[weekly("SA", 10, 14)]),
        await make_service(org, name="Weekdays"),
    ]
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=LONDON)
    assert names(await find(backend, open_at=saturday), services) == ["Saturday club"]
    assert names(await find(backend, open_now=True), services) == ["Weekdays"]
    assert names(await find(backend, weekends=True), services) == ["Saturday club"]


async def test_distance_filter_and_sort(backend):
    org = await make_organisation()
    services = [
        await make_service(org, name="Far housing", locations=[location(org, FAR)]),
        await make_service(org, name="Middle housing", locations=[location(org, MIDDLE)]),
        await make_service(org, name="Near housing", locations=[location(org, NEAR)]),
        await make_service(org, name="Housing", locations=[]),
    ]
    within = await find(backend, text="housing", origin=ORIGIN, max_distance_km=5)
    assert sorted(names(within, services)) == ["Middle housing", "Near housing"]
    nearest = await find(backend, text="housing", origin=ORIGIN, sort="distance")
    assert names(nearest, services) == ["Near housing", "Middle housing", "Far housing", "Housing"]
    distances = [hit.distance_km for hit in nearest.items]
    assert distances[0] == pytest.approx(0.5, abs=0.05)
    assert distances[1] == pytest.approx(3.0, abs=0.1)
    assert distances[2] == pytest.approx(10.0, abs=0.2)
    assert distances[3] is None
    relevance = await find(backend, text="housing", origin=ORIGIN)
    assert names(relevance, services)[0] == "Housing"


async def test_paging(backend):
    org = await make_organisation()
    for n in range(5):
        await make_service(org, name=f"Peer group {n}")
    first = await find(backend, text="peer", per_page=2)
    third = await find(backend, text="peer", per_page=2, page=3)
    assert (first.total, len(first.items), len(third.items)) == (5, 2, 1)
    assert not {hit.service_id for hit in first.items} & {hit.service_id for hit in third.items}


async def test_an_edit_is_searchable_at_once(backend):
    org = await make_organisation()
    saved = await make_service(org, name="Alpha Project")
    assert (await find(backend, text="alpha")).total == 1
    await upsert_service(msgspec.structs.replace(saved, name="Bravo Project"), actor=Actor.system())
    assert (await find(backend, text="alpha")).total == 0
    assert [hit.service_id for hit in (await find(backend, text="bravo")).items] == [saved.id]


async def test_inactive_and_deleted_services_disappear(backend):
    org = await make_organisation()
    closing = await make_service(org, name="Closing Café")
    deleted = await make_service(org, name="Deleted Café")
    await make_service(org, name="Open Café")
    await upsert_service(msgspec.structs.replace(closing, status="inactive"), actor=Actor.system())
    await Service.delete().where(Service.id == deleted.id)
    if backend.name == "meilisearch":
        await backend.remove([deleted.id])
    results = await find(backend, text="cafe")
    assert results.total == 1
    assert results.facets.categories == {}


async def test_the_index_changes_only_when_the_listing_does():
    org = await make_organisation()
    record = schemas.ServiceRecord(
        id=uuid.uuid4(), organisation_id=org.id, organisation_name=org.name, name="Ghost Service"
    )

    async def save_then_fail() -> None:
        async with transaction():
            await upsert_service(record, actor=Actor.system())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await save_then_fail()
    assert (await database_backend().search(SearchQuery(text="ghost"))).total == 0


async def test_rebuild_restores_a_lost_index():
    org = await make_organisation()
    await make_service(org, name="Peer Support Café")
    await make_service(org, name="Gone Quiet", status="inactive")
    await raw("DELETE FROM directory_search_doc")
    assert (await database_backend().search(SearchQuery())).total == 0
    seen: list[tuple[int, int]] = []
    indexed = await database_backend().rebuild(lambda done, total: seen.append((done, total)))
    assert indexed == 1
    assert seen[0] == (0, 1)
    assert seen[-1] == (1, 1)
    assert (await database_backend().search(SearchQuery(text="peer"))).total == 1


async def test_a_change_to_a_shared_place_reaches_every_service_there(backend):
    org = await make_organisation()
    place = location(org, NEAR, schedules=[weekly("MO,TU,WE,TH,FR", 9, 17)])
    first = await make_service(org, name="Advice desk", schedules=[], locations=[place])
    second = await make_service(org, name="Benefits clinic", schedules=[], locations=[place])
    clock.freeze(datetime(2026, 12, 24, 11, 0, tzinfo=LONDON))
    assert (await find(backend, open_now=True)).total == 2
    closed = msgspec.structs.replace(
        place,
        exceptions=[schemas.ScheduleException(id=uuid.uuid4(), on_date=date(2026, 12, 24))],
    )
    await upsert_service(msgspec.structs.replace(first, locations=[closed]), actor=Actor.system())
    assert (await find(backend, open_now=True)).total == 0
    assert second.id in {hit.service_id for hit in (await find(backend)).items}
