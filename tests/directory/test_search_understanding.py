"""What a hub worker types, understood: stems, typos, prefixes, everyday words, stop words, rank.

The plan is checked as a pure function (the typo rules); the rest runs through the database
backend of this run (SQLite or PostgreSQL), which must give the same answers.
"""

from __future__ import annotations

import msgspec

from directory import schemas
from directory.search.backend import database_backend
from directory.search.schemas import SearchQuery, SearchResults
from directory.search.synonyms import Synonyms
from directory.search.understanding import plan_query
from directory.search.vocabulary import Vocabulary
from directory.tables import Service
from hub import clock
from tests.directory.factories import make_service, need, weekly
from tests.directory.test_search import MONDAY_AFTERNOON, pooled  # noqa: F401 - its pool
from tests.support import make_organisation

WORDS = Vocabulary(
    {"housing": 9, "house": 2, "homeless": 3, "benefits": 2, "accommodation": 1, "food": 4}
)
NEEDS = Synonyms({"substance-use": ["drugs", "needle exchange"], "food": ["food bank"]})


def shown(text: str, **how: bool) -> str:
    """What the plan searches for."""
    return plan_query(text, WORDS, NEEDS, **how).shown_text


def test_typos_follow_meilisearchs_budget():
    assert shown("housng") == "housing"  # 6 letters: one typo
    assert shown("hosuing") == "housing"  # a swap of neighbours is one typo
    assert shown("homles") == "homles"  # 6 letters, two letters missing: too many
    assert shown("homless") == "homeless"
    assert shown("gousing") == "gousing"  # never in the first letter
    assert shown("fod") == "fod"  # no typos under five letters
    assert shown("acomodation") == "accommodation"  # 11 letters: two typos
    assert shown("housng", exact=True) == "housng"  # the words as typed, when asked
    plan = plan_query("benifits housng", WORDS, NEEDS)
    assert plan.corrected
    assert plan.typos == 2
    assert [word.typos for word in plan.words] == [1, 1]


def test_the_closest_and_most_used_word_wins():
    words = Vocabulary({"house": 1, "horse": 5, "housing": 1})
    assert words.corrections("hoose") == (["horse", "house"], 1)  # more listings first
    assert words.corrections("housin") == (["housing"], 1)


def test_stop_words_time_words_prefixes_and_needs():
    plan = plan_query("somewhere for me to get drugs tonight", WORDS, NEEDS)
    assert [word.typed for word in plan.words] == ["drugs"]
    assert plan.open_now
    assert plan.words[0].categories == ("substance-use",)
    assert plan.words[0].terms == ("drug",)  # the stem
    assert plan_query("open now", WORDS, NEEDS).words == ()  # only "open now": no words
    food = plan_query("food banks", WORDS, NEEDS)  # a plural inside a phrase
    assert [word.categories for word in food.words] == [("food",), ("food",)]
    typed = plan_query("needle hous", WORDS, NEEDS)
    assert [word.prefix for word in typed.words] == ["", "hous"]  # only the last, as typed
    assert plan_query("drinks", WORDS, NEEDS).words[0].categories == ()


async def search(text: str, **values: object) -> SearchResults:
    """The database backend's answer."""
    return await database_backend().search(msgspec.convert({"text": text, **values}, SearchQuery))


async def names(text: str, **values: object) -> list[str]:
    """Names found, best first."""
    rows = await Service.select(Service.id, Service.name)
    by_id = {row["id"]: row["name"] for row in rows}
    return [by_id[hit.service_id] for hit in (await search(text, **values)).items]


async def listed(**values: object) -> schemas.ServiceRecord:
    """A listing of a new organisation."""
    return await make_service(await make_organisation(), **values)


def test_two_words_that_a_listing_writes_as_one_match_it():
    words = Vocabulary({"foodbank": 3, "food": 9, "bank": 2, "drop": 4, "in": 9})
    plan = plan_query("food bank", words, NEEDS)
    assert [word.terms for word in plan.words] == [("food", "foodbank"), ("bank", "foodbank")]
    assert plan.shown_text == "food bank"  # nothing is said to be corrected
    assert plan_query("bank food", words, NEEDS).words[0].terms == ("bank",)  # no "bankfood"
    assert plan_query("food bank", words, NEEDS, exact=True).words[0].terms == ("food",)
    # Only neighbours join: "food for the bank" keeps its words apart.
    assert plan_query("food for the bank", words, NEEDS).words[0].terms == ("food",)


def test_a_word_a_listing_writes_as_two_matches_them_side_by_side():
    words = Vocabulary({"food": 9, "bank": 2, "home": 5, "less": 3, "homeless": 4, "the": 9})
    assert plan_query("foodbanks", words, NEEDS).words[0].terms == ("foodbank", "food bank")
    assert plan_query("homeless", words, NEEDS).words[0].terms == ("homeless",)  # a suffix
    assert plan_query("thebank", words, NEEDS).words[0].terms == ("thebank",)  # a stop word
    assert plan_query("foodbanks", words, NEEDS, exact=True).words[0].terms == ("foodbank",)


async def test_a_word_written_as_two_finds_them_together():
    """Side by side, they are the word itself; apart, or only the need's other words, below."""
    apart = await listed(name="Food bank", description="Parcels on Fridays.")
    joined = await listed(name="Foodbank project", description="Parcels on Tuesdays.")
    pantry = await listed(name="Food pantry", description="Food, and a pantry full of food.")
    river = await listed(name="Riverside cafe", description="Hot food by the river bank.")
    found = await names("foodbanks")
    assert set(found[:2]) == {apart.name, joined.name}
    assert set(found[2:]) == {pantry.name, river.name}


async def test_a_listing_writing_two_words_as_one_matches_both():
    joined = await listed(name="Foodbank project", description="Parcels on Tuesdays.")
    apart = await listed(name="Food bank", description="Parcels on Fridays.")
    food_only = await listed(name="Food pantry", description="Tins and fresh food.")
    found = await names("food bank")
    assert set(found[:2]) == {joined.name, apart.name}
    assert found[2:] == [food_only.name]  # one word of two: below both


async def test_plurals_and_word_forms_match():
    await listed(name="Drug service", description="Harm reduction for anyone who uses a drug.")
    await listed(name="Clothing bank", description="Coats and shoes.")
    await listed(name="Discharge team", description="Help when you leave hospital.")
    await listed(name="Homelessness advice", description="Options and applications.")
    assert await names("drugs") == ["Drug service"]
    assert await names("clothes") == ["Clothing bank"]
    assert await names("leaving hospital") == ["Discharge team"]
    assert await names("homeless") == ["Homelessness advice"]


async def test_a_corrected_word_is_said_and_the_exact_words_can_be_had():
    await listed(name="Housing options", description="Somewhere to live.")
    results = await search("housng")
    assert results.searched_for == "housing"
    assert len(results.items) == 1
    exact = await search("housng", exact=True)
    assert (exact.total, exact.searched_for) == (0, "")
    assert (await search("housing")).searched_for == ""  # nothing to correct


async def test_fewer_typos_rank_first():
    await listed(name="Housing support", description="Keys and tenancies.")
    await listed(name="Housing and benefits", description="Benefits checks for tenants.")
    # "benifits" is corrected; both match "housing" and the second also "benefits".
    assert await names("housing benifits") == ["Housing and benefits", "Housing support"]


async def test_everyday_words_find_the_need_below_own_text():
    own = await listed(
        name="Recovery cafe", description="A drug-free space.", terms=[need("social", "Social")]
    )
    category = await listed(
        name="Treatment clinic",
        description="Prescribing and support.",
        terms=[need("substance-use", "Substance use")],
    )
    found = await names("drugs")
    assert found == [own.name, category.name]  # its own text says it, then the need
    # A word no listing uses: the need's services, then text using the need's other words.
    assert await names("methadone") == [category.name, own.name]


async def test_a_needs_word_ranks_first_where_it_is_meant_in_that_sense():
    """ "benefits" in a listing about money outranks "the benefits of" stretching, though the
    index scores the shorter text higher; so does a listing in the need itself."""
    stretching = await listed(
        name="Chair yoga", description="Stretching and its benefits: more benefits than you think."
    )
    money = await listed(
        name="Later life advice",
        description="Free benefits checks for over fifties, and a hand with energy bills.",
    )
    assert await names("benefits") == [money.name, stretching.name]
    assert await names("benifits") == [money.name, stretching.name]
    in_need = await listed(
        name="Welfare desk",
        description="Drop in about benefits and anything else on your mind this week.",
        terms=[need("money", "Money and benefits")],
    )
    assert (await names("benefits"))[-1] == stretching.name
    assert set(await names("benefits")) == {money.name, in_need.name, stretching.name}


async def test_more_words_matched_rank_first_and_name_beats_description():
    await listed(name="Food larder", description="Tins and fresh food on Fridays.")
    await listed(name="Community cafe", description="Hot food and a larder of tins.")
    await listed(name="Larder van", description="Visits the estates.")
    assert (await names("food larder"))[:2] == ["Food larder", "Community cafe"]
    assert (await names("larder"))[:2] == ["Larder van", "Food larder"]  # names first
    assert (await names("fresh tins on friday"))[:1] == ["Food larder"]  # not every word needed


async def test_tonight_means_open_now_and_no_word_is_needed_for_it():
    clock.freeze(MONDAY_AFTERNOON)
    open_now = await listed(name="Day centre food", schedules=[weekly("MO", 9, 17)])
    await listed(name="Evening food club", schedules=[weekly("TU", 18, 21)])
    results = await search("food today")
    assert results.open_now_from_text
    assert await names("food today") == [open_now.name]
    assert len(await names("food")) == 2
    assert await names("food today", open_at=MONDAY_AFTERNOON.replace(day=24, hour=19)) == [
        "Evening food club"
    ]  # a time asked for wins over the word


async def test_words_near_each_other_rank_first():
    # A word in the name would otherwise win; the two words side by side win first.
    await listed(name="Support hub", description="Forms for housing, bills and much besides.")
    await listed(name="Tenancy team", description="Housing support for new tenants.")
    assert await names("housing support") == ["Tenancy team", "Support hub"]
    assert await names("support housing") == ["Tenancy team", "Support hub"]  # either way
    assert await names("housing suppo") == ["Tenancy team", "Support hub"]  # still typing
