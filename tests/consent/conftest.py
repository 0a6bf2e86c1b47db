"""Consent tests use browsers on one shared app (see fixtures.py)."""

from tests.consent.fixtures import client, other_client, pooled

__all__ = ["client", "other_client", "pooled"]
