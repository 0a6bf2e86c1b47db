"""The client record's holdings of personal data (for the subject access pack)."""

from __future__ import annotations

from consent.tables import AccessLog, BreakGlass, ClientEntry, Consent, Involvement
from hub.personal_data import Holding
from hub.tables import Client, ClientAccount, ClientInvitation

HOLDINGS = (
    Holding("Identity", Client, "id"),
    Holding("Portal account", ClientAccount, "client", hidden=("password_hash",)),
    Holding("Portal invitations", ClientInvitation, "client", hidden=("code_hash",)),
    Holding("Information recorded", ClientEntry, "client"),
    Holding("Consents, every version", Consent, "client"),
    Holding("Organisations involved", Involvement, "client"),
    Holding("Who looked at the record", AccessLog, "client"),
    Holding("Emergency access (break-glass)", BreakGlass, "client"),
)
