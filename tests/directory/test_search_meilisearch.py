"""Meilisearch requests checked without a server: settings, documents, filters, sort, flow.

The conformance suite (test_search.py) runs the real thing when MEILISEARCH_URL is set.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from directory import schemas
from directory.hours import LONDON
from directory.search import sync
from directory.search.documents import build_document
from directory.search.language import STOP_WORDS, typo_budget
from directory.search.meili import (
    CANDIDATE_LIMIT,
    MeilisearchBackend,
    document_from_hit,
    index_settings,
    meili_document,
    search_filter,
    search_params,
)
from directory.search.schemas import GeoPoint, SearchQuery
from directory.search.synonyms import Synonyms
from hub import clock, outbox
from hub.db import raw
from hub.tables import OutboxJob
from tests.directory.factories import make_service, need, weekly
from tests.support import make_organisation

MONDAY_AFTERNOON = datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
async def empty_search_index(clean_database: None) -> None:
    """The index too: on PostgreSQL the clean-up's DELETEs skip foreign-key cascades."""
    await raw("DELETE FROM directory_search_doc")


def record(**values: Any) -> schemas.ServiceRecord:
    """A listing in memory."""
    return schemas.ServiceRecord(
        id=uuid.uuid4(),
        organisation_id=uuid.uuid4(),
        organisation_name="Housing First",
        name=values.pop("name", "Housing First Dundee"),
        **values,
    )


def test_settings_make_everything_filterable_and_tolerate_typos():
    settings = index_settings().model_dump(by_alias=True, exclude_none=True)
    assert settings["searchableAttributes"] == ["name", "description", "other"]
    assert {
        "categories",
        "languages",
        "network",
        "accepting",
        "free",
        "evenings",
        "weekends",
    } <= set(settings["filterableAttributes"])
    assert {"open_tokens", "minimum_age", "maximum_age", "_geo"} <= set(
        settings["filterableAttributes"]
    )
    assert "_geo" in settings["sortableAttributes"]
    assert settings["typoTolerance"]["enabled"] is True
    assert settings["pagination"] == {"maxTotalHits": CANDIDATE_LIMIT}


def test_settings_carry_the_database_backends_typos_stop_words_and_everyday_words():
    needs = Synonyms(
        {"substance-use": ["drugs", "needle exchange"], "food": ["food bank", "drugs"]},
        {"substance-use": "Substance use", "food": "Food"},
    )
    settings = index_settings(needs.export()).model_dump(by_alias=True, exclude_none=True)
    sizes = settings["typoTolerance"]["minWordSizeForTypos"]
    assert (sizes["oneTypo"], sizes["twoTypos"]) == (5, 9)  # as typo_budget counts
    assert typo_budget("x" * (sizes["oneTypo"] - 1)) == 0
    assert typo_budget("x" * sizes["oneTypo"]) == 1
    assert typo_budget("x" * sizes["twoTypos"]) == 2
    assert set(settings["stopWords"]) == set(STOP_WORDS)
    assert settings["synonyms"] == {
        "drugs": ["food", "substance use"],
        "food bank": ["food"],
        "needle exchange": ["substance use"],
    }


async def test_time_words_become_the_open_now_filter_and_leave_the_text(fake_meili):
    backend, index = fake_meili
    clock.freeze(MONDAY_AFTERNOON)
    results = await backend.search(SearchQuery(text="food open now"))
    assert index.asked[-1]["query"] == "food"
    assert "open_tokens IN [h_mo_14, x_20261123, x_20261122]" in index.asked[-1]["filter"]
    assert results.open_now_from_text


def test_a_document_has_geo_only_with_a_valid_point():
    location = schemas.Location(
        id=uuid.uuid4(), organisation_id=uuid.uuid4(), latitude=56.4685, longitude=-3.021
    )
    with_point = meili_document(
        build_document(record(locations=[location], terms=[need("housing", "Housing")]))
    )
    assert with_point["_geo"] == {"lat": 56.4685, "lng": -3.021}
    assert with_point["categories"] == ["housing"]
    assert with_point["network"] is False  # no referral methods given
    assert all(t.startswith(("h_", "x_")) for t in with_point["open_tokens"])
    without = meili_document(build_document(record()))
    assert "_geo" not in without
    broken = schemas.Location(
        id=uuid.uuid4(), organisation_id=uuid.uuid4(), latitude=91.0, longitude=-3.0
    )
    assert "_geo" not in meili_document(build_document(record(locations=[broken])))
    json.dumps(with_point)  # plain JSON, ready to send


def test_filters_are_anded_and_quoted():
    query = SearchQuery(
        text="housing",
        categories=("housing", "mental-health"),
        accepts_network_referrals=True,
        free=True,
        language='pl" OR 1=1',
        age=30,
        open_now=True,
        origin=GeoPoint(56.4685, -3.021),
        max_distance_km=2.5,
    )
    filters = search_filter(query, MONDAY_AFTERNOON)
    assert filters == [
        "NOT collapsed = true",  # a possible duplicate waiting for an admin is shown within another
        'categories = "housing"',
        'categories = "mental-health"',
        "network = true",
        "free = true",
        'languages = "plor11"',
        "open_tokens IN [h_mo_14, x_20261123, x_20261122]",
        "_geoRadius(56.4685, -3.021, 2500)",
        "(minimum_age IS NULL OR minimum_age <= 30)",
        "(maximum_age IS NULL OR maximum_age >= 30)",
    ]


def test_distance_sort_and_the_candidate_window():
    near = SearchQuery(text="food", origin=GeoPoint(56.4685, -3.021), sort="distance")
    params = search_params(near, MONDAY_AFTERNOON)
    assert params["sort"] == ["_geoPoint(56.4685, -3.021):asc"]
    assert params["limit"] == CANDIDATE_LIMIT
    assert params["show_ranking_score"] is True
    assert "hours" in params["attributes_to_retrieve"]
    plain = search_params(SearchQuery(), MONDAY_AFTERNOON)
    assert plain["query"] is None
    assert plain["filter"] == ["NOT collapsed = true"]
    assert "sort" not in plain


@dataclass
class FakeResults:
    hits: list[dict[str, Any]]
    estimated_total_hits: int


@dataclass
class FakeIndex:
    """Stands in for AsyncIndex: answers searches from documents, records writes."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    asked: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    async def search(self, **params: Any) -> FakeResults:
        self.asked.append(params)
        hits = [{**doc, "_rankingScore": 0.5} for doc in self.documents]
        return FakeResults(hits=hits, estimated_total_hits=len(hits))

    async def add_documents(self, documents: list[dict[str, Any]], primary_key: str) -> Any:
        assert primary_key == "id"
        self.documents.extend(documents)
        return type("Task", (), {"task_uid": 1})()

    async def delete_documents(self, ids: list[str]) -> Any:
        self.deleted.extend(ids)
        return type("Task", (), {"task_uid": 2})()


@pytest.fixture
def fake_meili(monkeypatch: pytest.MonkeyPatch) -> tuple[MeilisearchBackend, FakeIndex]:
    backend = MeilisearchBackend("http://meilisearch.invalid:7700")
    index = FakeIndex()

    async def no_wait(task_uid: int) -> None:
        return None

    monkeypatch.setattr(backend, "index_handle", lambda: index)
    monkeypatch.setattr(backend, "_wait", no_wait)
    return backend, index


async def test_hits_get_the_exact_open_check_and_facets(fake_meili):
    backend, index = fake_meili
    clock.freeze(MONDAY_AFTERNOON)
    day = record(name="Day centre", terms=[need("food")], schedules=[weekly("MO", 9, 17)])
    night = record(name="Night shelter", terms=[need("housing")], schedules=[weekly("FR", 22, 6)])
    await backend.index_records([day, night, record(name="Gone", status="inactive")])
    assert [doc["name"] for doc in index.documents] == ["Day centre", "Night shelter"]
    results = await backend.search(SearchQuery(open_now=True))
    assert [hit.service_id for hit in results.items] == [day.id]
    assert results.facets.categories == {"food": 1}
    assert index.asked[-1]["filter"] == [
        "NOT collapsed = true",
        "open_tokens IN [h_mo_14, x_20261123, x_20261122]",
    ]
    everything = await backend.search(SearchQuery())
    assert (everything.total, everything.facets.open_now) == (2, 1)


def test_a_hit_becomes_a_document():
    sent = meili_document(build_document(record(schedules=[weekly("MO", 9, 17)])))
    doc = document_from_hit({**sent, "_rankingScore": 0.8})
    assert doc.week == ((540, 1020),)
    assert doc.key == sent["id"]
    assert doc.latitude is None


async def test_a_listing_change_queues_a_sync_job_when_meilisearch_is_on(fake_meili, monkeypatch):
    backend, index = fake_meili
    monkeypatch.setattr(sync, "meilisearch_backend", lambda: backend)
    org = await make_organisation()
    saved = await make_service(org, name="Peer Support Café")
    jobs = await OutboxJob.select().where(OutboxJob.kind == sync.SYNC_JOB)
    assert [json.loads(job["payload"]) for job in jobs] == [{"service_ids": [str(saved.id)]}]
    assert await outbox.run_once({sync.SYNC_JOB: sync.search_sync_job}, "test") == 1
    assert [doc["id"] for doc in index.documents] == [str(saved.id)]


async def test_no_sync_job_without_meilisearch():
    if os.environ.get("MEILISEARCH_URL"):
        pytest.skip("Meilisearch is configured in this run")
    org = await make_organisation()
    await make_service(org)
    assert await OutboxJob.count().where(OutboxJob.kind == sync.SYNC_JOB) == 0
