"""Feeds kept in step: partners' and councils' Open Referral UK APIs pulled on a schedule."""
