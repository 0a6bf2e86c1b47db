"""`wraparound directory ...`: reindex, import, export, postcodes, synthetic directories."""

from __future__ import annotations

import click


@click.group("directory")
def directory_group() -> None:
    """The service directory."""
