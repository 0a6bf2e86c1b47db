"""What signposting pages show: a sheet of services with nothing about the visitor or the worker."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class SheetItem(msgspec.Struct, frozen=True, kw_only=True):
    """One service as a visitor's sheet shows it (name, what it does, when, where, phone)."""

    service_id: UUID
    name: str
    description: str
    open_status: str
    hours: list[str]
    dated_changes: list[str]
    address: str
    transportation: str
    phone: str
    url: str
    referral: str


class SignpostSheet(msgspec.Struct, frozen=True, kw_only=True):
    """A list of services for a visitor; `token` and dates only once it has been handed over."""

    id: UUID
    items: list[SheetItem]
    token: str = ""
    handed_over_at: datetime | None = None
    expires_at: datetime | None = None

    @property
    def handed_over(self) -> bool:
        """True once printed or shared."""
        return self.handed_over_at is not None


class ListChange(msgspec.Struct, kw_only=True):
    """Form: add a service to, or take it off, the worker's current list."""

    service_id: str = ""
    next: str = ""


class HandOver(msgspec.Struct, kw_only=True):
    """Form: hand the list over as a printed sheet or a link."""

    mode: str = ""  # print | link
