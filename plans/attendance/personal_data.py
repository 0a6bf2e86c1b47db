"""Registers and bookings hold which sessions a client came to or booked (subject access)."""

from __future__ import annotations

from typing import Any

from hub.personal_data import Holding
from plans.attendance.tables import Attendance, Booking


async def keep_anonymous_count(rows: list[dict[str, Any]]) -> None:
    """An erased client still came: their register lines stay as anonymous visitors."""
    for row in rows:
        if row["removed_at"] is None:
            await Attendance.insert(
                Attendance(
                    session=row["session"],
                    on_date=row["on_date"],
                    visitors=row["visitors"],
                    first_visit=row["first_visit"],
                    organisation=row["organisation"],
                    recorded_by=row["recorded_by"],
                    recorded_at=row["recorded_at"],
                )
            )


HOLDINGS = (
    Holding("Hub sessions attended", Attendance, "client", on_erase=keep_anonymous_count),
    Holding("Hub session bookings", Booking, "client"),
)
