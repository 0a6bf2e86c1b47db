"""Wraparound's shared core: settings, database, errors, audit trail, outbox, accounts."""
