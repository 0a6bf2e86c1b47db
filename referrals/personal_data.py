"""Referrals' holdings of a client's personal data (for subject access packs and erasure)."""

from __future__ import annotations

from hub.personal_data import Holding
from referrals.retention import keep_tombstone_counts
from referrals.tables import Referral, ReferralEvent, ReferralMessage

HOLDINGS = (
    Holding("Referrals", Referral, "client", on_erase=keep_tombstone_counts),
    Holding("What happened to each referral", ReferralEvent, "referral", parent="Referrals"),
    Holding("Messages about each referral", ReferralMessage, "referral", parent="Referrals"),
)
