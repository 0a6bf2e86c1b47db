"""Referral pages: send a referral, read and move one, the inbox."""
