"""Referrals: a closed loop between the hub and its partner services."""
