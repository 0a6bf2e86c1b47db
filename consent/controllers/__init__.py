"""Consent's pages: thin controllers that parse a form, call one service and render."""
