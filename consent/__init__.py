"""Consent: the client record, consents, the sharing policy, break-glass and the access log."""
