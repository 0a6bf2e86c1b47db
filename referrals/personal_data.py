"""Referrals' holdings of a client's personal data (for the subject access pack)."""

from __future__ import annotations

from hub.personal_data import Holding
from referrals.tables import Referral, ReferralEvent, ReferralMessage

HOLDINGS = (
    Holding("Referrals", Referral, "client"),
    Holding("What happened to each referral", ReferralEvent, "referral", parent="Referrals"),
    Holding("Messages about each referral", ReferralMessage, "referral", parent="Referrals"),
)
