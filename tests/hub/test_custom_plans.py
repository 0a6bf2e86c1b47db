"""Search reads are planned for their own values every time; every other read keeps its plan."""

from __future__ import annotations

import pytest

from hub.db import custom_plans, raw, raw_tuples, transaction
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="plan caching is PostgreSQL's")

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
