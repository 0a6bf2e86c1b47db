"""A prepared query answers as Piccolo's own query would, for every value it is given."""

from __future__ import annotations

from typing import Any

import pytest
from piccolo.querystring import QueryString

from hub.prepared import Prepared
from hub.tables import Staff
from tests.support import make_organisation, make_staff

STAFF_OF = Prepared(
    lambda organisation_id, active: (
        Staff.select(Staff.id, Staff.email, Staff.organisation.name.as_alias("organisation_name"))
        .where((Staff.organisation == organisation_id) & (Staff.active == active))
        .order_by(Staff.email)
    )
)
ANY_ACTIVE = Prepared(
    lambda organisation_id: Staff.exists().where(
        (Staff.organisation == organisation_id) & (Staff.active == True)  # noqa: E712
    )
)
COUNTED = Prepared(
    lambda organisation_id: QueryString(
        "SELECT COUNT(*) AS n FROM staff WHERE organisation = {}", organisation_id
    )
)


def _piccolo(organisation_id: Any, active: bool) -> Any:
    return (
        Staff.select(Staff.id, Staff.email, Staff.organisation.name.as_alias("organisation_name"))
        .where((Staff.organisation == organisation_id) & (Staff.active == active))
        .order_by(Staff.email)
    )


async def test_each_run_binds_its_own_values_and_answers_as_piccolo_does() -> None:
    first, second = await make_organisation(name="First"), await make_organisation(name="Second")
    for email in ("b@first.example", "a@first.example"):
        await make_staff(first, email=email)
    await make_staff(first, email="gone@first.example", active=False)
    await make_staff(second, email="only@second.example")
    for organisation in (first, second):
        for active in (True, False):
            assert await STAFF_OF.rows(organisation.id, active) == await _piccolo(
                organisation.id, active
            )
    emails = [row["email"] for row in await STAFF_OF.rows(first.id, True)]
    assert emails == ["a@first.example", "b@first.example"]
    assert (await STAFF_OF.first(second.id, True))["organisation_name"] == "Second"
    assert await STAFF_OF.first(second.id, False) is None


async def test_exists_and_plain_sql_are_prepared_too() -> None:
    staffed, empty = await make_organisation(), await make_organisation()
    await make_staff(staffed)
    await make_staff(staffed, active=False)
    assert await ANY_ACTIVE.rows(staffed.id) is True
    assert await ANY_ACTIVE.rows(empty.id) is False
    assert await COUNTED.rows(staffed.id) == [{"n": 2}]
    assert await COUNTED.rows(empty.id) == [{"n": 0}]


async def test_the_wrong_number_of_values_is_refused() -> None:
    with pytest.raises(TypeError, match="expected 2 values, got 1"):
        await STAFF_OF.rows("x")
