"""A job that keeps taking its worker down is not retried for ever."""

from __future__ import annotations

from hub import clock, outbox
from hub.tables import OutboxJob


async def test_job_whose_worker_dies_every_time_ends_failed():
    clock.freeze()
    job_id = await outbox.enqueue("email", {"to": "x@example.org"}, max_attempts=2)
    for _ in range(2):
        claimed = await outbox.claim("doomed-worker")
        assert [job.id for job in claimed] == [job_id]
        clock.advance(outbox.LEASE * 2)  # the worker died; its lease runs out
    assert await outbox.claim("next-worker") == []
    row = await OutboxJob.select().where(OutboxJob.id == job_id).first()
    assert row["status"] == "failed"
    assert "no tries left" in row["last_error"]
    assert row["finished_at"] is not None
