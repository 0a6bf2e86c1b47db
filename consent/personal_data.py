"""The client record's holdings of personal data (for subject access packs and erasure)."""

from __future__ import annotations

from consent.tables import (
    AccessLog,
    BreakGlass,
    BreakGlassReview,
    ClientEntry,
    Consent,
    CorrectionRequest,
    EntryVersion,
    Involvement,
)
from hub.personal_data import Holding
from hub.tables import Client, ClientAccount, ClientInvitation

HOLDINGS = (
    Holding("Identity", Client, "id"),
    Holding("Portal account", ClientAccount, "client", hidden=("password_hash",)),
    Holding("Portal invitations", ClientInvitation, "client", hidden=("code_hash",)),
    Holding("Information recorded", ClientEntry, "client"),
    Holding("Earlier versions of entries", EntryVersion, "entry", parent="Information recorded"),
    Holding("Corrections asked for", CorrectionRequest, "client"),
    Holding("Consents, every version", Consent, "client"),
    Holding("Organisations involved", Involvement, "client"),
    Holding("Who looked at the record", AccessLog, "client"),
    Holding("Emergency access (break-glass)", BreakGlass, "client"),
    Holding(
        "Reviews of emergency access",
        BreakGlassReview,
        "break_glass",
        parent="Emergency access (break-glass)",
    ),
)
