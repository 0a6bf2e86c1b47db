"""Time-ordered row ids: UUID version 7 that sort by the millisecond they were made."""

from __future__ import annotations

import time
import uuid

from hub.ids import time_ordered_id


def test_an_id_is_a_version_7_uuid_carrying_its_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    made = time_ordered_id()
    after = time.time_ns() // 1_000_000
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after
    assert uuid.UUID(str(made)) == made


def test_ids_sort_by_the_millisecond_they_were_made_as_text_and_as_numbers() -> None:
    made = [time_ordered_id(now_ms=1_796_000_000_000 + step) for step in range(0, 2000, 7)]
    assert sorted(made) == made
    assert sorted(str(i) for i in made) == [str(i) for i in made]  # SQLite keeps them as text


def test_ids_made_in_one_millisecond_differ() -> None:
    same = {time_ordered_id(now_ms=1_796_000_000_000) for _ in range(10_000)}
    assert len(same) == 10_000


def test_rows_written_in_bursts_get_time_ordered_ids_and_the_tables_stay_as_they_were() -> None:
    from consent.tables import Involvement
    from hub.tables import Notification, OutboxJob
    from referrals.tables import Referral, ReferralEvent

    random_id_ddl = Referral._meta.primary_key.ddl  # a table keeping the random default
    for table in (ReferralEvent, Involvement, Notification, OutboxJob):
        assert table().id.version == 7, table
        assert table._meta.primary_key.ddl == random_id_ddl, table
    assert Referral().id.version == 4
