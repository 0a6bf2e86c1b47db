"""Keeping listings true: organisation admins edit their own services; history and staleness."""
