"""A bulk load's SQLite settings hold for its length, and the writer gets its usual ones back.

An import keeps a large page cache between its batches and checkpoints the WAL less often;
a web or worker process that ran one must not keep either afterwards, even when the load
fails part-way.
"""

from __future__ import annotations

import pytest

from hub.db import (
    BULK_CACHE_KIB,
    BULK_CHECKPOINT_PAGES,
    DEFAULT_CHECKPOINT_PAGES,
    SQLITE_PRAGMAS,
    bulk_load,
    make_room_for_batch,
    transaction,
    transaction_driver,
)
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL needs no bulk settings")

USUAL_CACHE = int(SQLITE_PRAGMAS[2].rsplit("=", 1)[1])


async def writer_settings() -> tuple[int, int]:
    """(cache_size, wal_autocheckpoint) of the writer connection, read in a transaction."""
    async with transaction():
        driver = transaction_driver()
        cache = await (await driver.execute("PRAGMA cache_size")).fetchone()
        checkpoint = await (await driver.execute("PRAGMA wal_autocheckpoint")).fetchone()
    return next(iter(cache.values())), next(iter(checkpoint.values()))


async def test_the_settings_last_through_every_batch_and_are_put_back() -> None:
    assert await writer_settings() == (USUAL_CACHE, DEFAULT_CHECKPOINT_PAGES)
    async with bulk_load():
        for _ in range(2):  # the end of a batch that grew its cache does not shrink it
            async with transaction():
                await make_room_for_batch(BULK_CACHE_KIB)
            assert await writer_settings() == (-BULK_CACHE_KIB, BULK_CHECKPOINT_PAGES)
    assert await writer_settings() == (USUAL_CACHE, DEFAULT_CHECKPOINT_PAGES)


async def load_that_breaks() -> None:
    async with bulk_load():
        assert (await writer_settings())[1] == BULK_CHECKPOINT_PAGES
        raise RuntimeError("the feed broke")


async def test_a_failed_load_puts_them_back_too() -> None:
    with pytest.raises(RuntimeError, match="the feed broke"):
        await load_that_breaks()
    assert await writer_settings() == (USUAL_CACHE, DEFAULT_CHECKPOINT_PAGES)
