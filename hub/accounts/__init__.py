"""Accounts: organisations, staff, clients' portal accounts, sign-in, sessions and roles."""
