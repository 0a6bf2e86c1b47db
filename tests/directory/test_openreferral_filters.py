"""Every ORUK query parameter narrows `/services` (and `/service_at_locations`) as it says."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from directory import schemas
from directory.tables import Postcode, Taxonomy, TaxonomyTerm
from directory.taxonomy import NEED_TAXONOMY_ID, term_id
from hub import clock
from hub.db import transaction
from tests.directory.factories import location, make_service, need, weekly
from tests.support import make_organisation

API = "/openreferral"
LOCHEE = (56.4685, -3.0210)
CITY_CENTRE = (56.4598, -2.9716)  # about 3.7 km east of Lochee
BROUGHTY_FERRY = (56.4665, -2.8710)  # about 9 km east
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def overnight(byday: str, opens: int, closes: int) -> schemas.Schedule:
    """A rule that closes after midnight."""
    rule = weekly(byday, opens, 0)
    return msgspec.structs.replace(rule, closes_at=rule.closes_at.replace(hour=closes))


async def directory() -> dict[str, Any]:
    """Six listings that differ in one way each (and a defunct one that never shows)."""
    async with transaction():  # one connection for the whole set-up
        return await _directory()


async def _directory() -> dict[str, Any]:
    clock.freeze(START)
    alpha = await make_organisation("Alpha Trust")
    beta = await make_organisation("Beta Recovery")
    gamma = await make_organisation("Gamma Youth")
    youth = uuid.uuid4()
    await Taxonomy.insert(Taxonomy(id=youth, name="Youth work terms"))
    club = TaxonomyTerm(id=uuid.uuid4(), taxonomy=youth, code="clubs", name="Clubs")
    await TaxonomyTerm.insert(club)
    await Postcode.insert(Postcode(postcode="DD23AB", latitude=56.4684, longitude=-3.0205))
    made = {
        "housing": await make_service(
            alpha,
            name="Housing advice",
            terms=[need("housing")],
            minimum_age=18,
            maximum_age=65,
            locations=[location(alpha, LOCHEE)],
        ),
        "recovery": await make_service(
            beta,
            name="Evening recovery group",
            terms=[need("substance-use")],
            minimum_age=16,
            schedules=[weekly("MO,WE", 18, 20)],
            locations=[location(beta, CITY_CENTRE)],
        ),
        "pantry": await make_service(
            alpha,
            name="Weekend food pantry",
            terms=[need("food")],
            schedules=[weekly("SA", 10, 14)],
            locations=[location(alpha, BROUGHTY_FERRY)],
        ),
        "night_bus": await make_service(
            beta,
            name="Night bus",
            terms=[need("safety")],
            schedules=[overnight("FR,SA", 21, 3)],
            locations=[location(beta, CITY_CENTRE)],
        ),
    }
    clock.freeze(START + timedelta(days=1))
    made["youth_club"] = await make_service(
        gamma,
        name="Youth club",
        description="Games, music and a hot meal",
        terms=[schemas.Term(id=club.id, code="clubs", name="Clubs", taxonomy_id=youth)],
        minimum_age=11,
        maximum_age=18,
        schedules=[],  # open when its building is: Tuesday evenings
        locations=[location(gamma, LOCHEE, schedules=[weekly("TU", 17, 19)])],
    )
    await make_service(gamma, name="Closed youth project", status="defunct")
    clock.reset()
    return {
        "ids": {key: str(record.id) for key, record in made.items()},
        "youth": youth,
        "orgs": (alpha, beta, gamma),
    }


async def names(client: Any, path: str = "services", **params: Any) -> list[str]:
    """The names a filtered list answers, in its order."""
    response = await client.get(f"{API}/{path}", params={"per_page": 50, **params})
    assert response.status_code == 200, response.text
    contents = response.json()["contents"]
    return [item["service"]["name"] if path != "services" else item["name"] for item in contents]


async def test_text_taxonomy_organisation_date_and_age_filters(client) -> None:
    made = await directory()
    alpha = made["orgs"][0]
    assert await names(client, search="housing") == ["Housing advice"]
    # The directory's own search: every word ranks first, one word after it.
    assert (await names(client, search="RECOVERY evening"))[0] == "Evening recovery group"
    assert (await names(client, search="hot meal"))[0] == "Youth club"  # description words
    assert await names(client, search="gamma") == ["Youth club"]  # organisation name
    assert await names(client, text="housng") == ["Housing advice"]  # ORUK's `text`, a typo
    assert "Weekend food pantry" in await names(client, text="food banks")  # everyday words
    assert await names(client, text="no such thing at all") == []
    either = await names(client, search="housing pantry")
    assert sorted(either[:2]) == ["Housing advice", "Weekend food pantry"]  # any word, when few
    assert await names(client, taxonomy_term_id=str(term_id("housing"))) == ["Housing advice"]
    both = f"{term_id('housing')},{term_id('food')}"
    assert await names(client, taxonomy_term_id=both) == ["Housing advice", "Weekend food pantry"]
    assert await names(client, taxonomy_id=str(made["youth"])) == ["Youth club"]
    assert len(await names(client, taxonomy_id=str(NEED_TAXONOMY_ID))) == 4
    assert await names(client, organization_id=str(alpha.id)) == [
        "Housing advice",
        "Weekend food pantry",
    ]
    assert "Closed youth project" not in await names(client)
    after = (START + timedelta(hours=12)).isoformat()
    assert await names(client, modified_after=after) == ["Youth club"]
    assert await names(client, modified_after=after.replace("+00:00", "Z")) == ["Youth club"]
    assert len(await names(client, modified_after="2025-03-03")) == 5
    # ORUK: minimum age of at least the value; maximum age at or below it.
    assert await names(client, minimum_age=16) == ["Evening recovery group", "Housing advice"]
    assert await names(client, maximum_age=18) == ["Youth club"]
    assert await names(client, minimum_age=11, maximum_age=65) == ["Housing advice", "Youth club"]
    terms = await client.get(f"{API}/taxonomy_terms", params={"taxonomy_id": str(made["youth"])})
    assert [term["code"] for term in terms.json()["contents"]] == ["clubs"]
    everything = (await client.get(f"{API}/taxonomy_terms")).json()
    assert everything["total_items"] == 14  # the 13 shipped need categories and one more


async def test_hours_and_distance_filters_on_services_and_their_locations(client) -> None:
    """Day and times match each rule (a service without rules has its building's hours);
    distance from a postcode filters and puts the nearest first."""
    await directory()
    assert await names(client, day="SA") == ["Night bus", "Weekend food pantry"]
    tuesday = ["Housing advice", "Youth club"]  # the club by its building's hours
    assert await names(client, day="Tuesday") == tuesday
    assert await names(client, day="tu") == tuesday
    assert await names(client, start_time="18:00") == ["Evening recovery group", "Night bus"]
    # The night bus shuts at 03:00 the next morning, after any end time that day.
    assert await names(client, end_time="14:00") == ["Weekend food pantry"]
    assert await names(client, end_time="23:59") == [
        "Evening recovery group",
        "Housing advice",
        "Weekend food pantry",
        "Youth club",
    ]
    assert await names(client, day="MO", start_time="18:00") == ["Evening recovery group"]
    assert await names(client, day="SU") == []
    near = await names(client, postcode="dd2 3ab", proximity=1000)
    assert sorted(near) == ["Housing advice", "Youth club"]
    wider = await names(client, postcode="DD2 3AB", proximity=5000)
    assert sorted(wider[:2]) == ["Housing advice", "Youth club"]
    assert sorted(wider[2:]) == ["Evening recovery group", "Night bus"]
    assert len(await names(client, postcode="DD23AB", proximity=20000)) == 5
    links = await names(client, "service_at_locations", postcode="DD2 3AB", proximity=1000)
    assert sorted(links) == ["Housing advice", "Youth club"]
    combined = await names(client, postcode="DD2 3AB", proximity=5000, day="MO")
    assert combined == ["Housing advice", "Evening recovery group"]
    everywhere = await names(client, postcode="DD2 3AB")  # no proximity: no distance filter
    assert len(everywhere) == 5
    assert await names(client, "service_at_locations", day="SA") == [
        "Night bus",
        "Weekend food pantry",
    ]
    assert await names(client, "service_at_locations", search="youth") == ["Youth club"]


async def test_malformed_parameters_are_problems_naming_each_parameter(client) -> None:
    await Postcode.insert(Postcode(postcode="DD23AB", latitude=56.4684, longitude=-3.0205))
    bad = {
        "taxonomy_term_id": "housing",
        "organization_id": "12",
        "modified_after": "last week",
        "minimum_age": "old",
        "day": "Funday",
        "start_time": "9ish",
        "proximity": "-5",
    }
    response = await client.get(f"{API}/services", params={**bad, "postcode": "DD2 3AB"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()["errors"]) == set(bad)
    unknown = await client.get(f"{API}/services", params={"postcode": "ZZ9 9ZZ", "proximity": 500})
    assert unknown.status_code == 400
    assert "postcode" in unknown.json()["errors"]
    lonely = await client.get(f"{API}/service_at_locations", params={"proximity": 500})
    assert lonely.status_code == 400
    assert "proximity" in lonely.json()["errors"]
