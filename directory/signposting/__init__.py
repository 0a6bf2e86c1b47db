"""Signposting: a hub worker's list of services for a visitor, handed over on paper or by link."""
