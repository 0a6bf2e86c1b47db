"""Search reads are planned for their own values every time; every other read keeps its plan."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hub.db import close_pool, custom_plans, get_engine, open_pool, raw, raw_tuples, transaction
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="plan caching is PostgreSQL's")


@pytest.fixture(autouse=True)
async def pools() -> AsyncIterator[None]:
    """Both pools open (earlier tests may have closed the run's); closed again if opened here."""
    engine = get_engine()
    opened_here = getattr(engine, "pool", None) is None
    await open_pool(engine)
    yield
    if opened_here:
        await close_pool(engine)


SHOW = "SELECT current_setting('plan_cache_mode') AS mode"


async def test_reads_in_custom_plans_use_connections_that_plan_every_time() -> None:
    assert (await raw(SHOW))[0]["mode"] == "auto"
    with custom_plans():
        assert (await raw(SHOW))[0]["mode"] == "force_custom_plan"
        assert list((await raw_tuples(SHOW))[0]) == ["force_custom_plan"]
    assert list((await raw_tuples(SHOW))[0]) == ["auto"]


async def test_a_transaction_keeps_its_own_connection_inside_custom_plans() -> None:
    async with transaction():
        with custom_plans():
            assert (await raw(SHOW))[0]["mode"] == "auto"  # the transaction's connection
