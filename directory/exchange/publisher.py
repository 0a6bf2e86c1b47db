"""The organisation standing for a feed's publisher, for listings that name none."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from directory.exchange.hsds_in import IMPORT_NAMESPACE
from directory.openreferral.info import OrganisationInfo
from hub.settings import get_settings

NO_ORGANISATION = "no organisation, attached to the feed's publisher"


def publisher_name(given: str, source: str) -> str:
    """The publisher named on the command line, else in settings, else after the source."""
    named = given.strip() or get_settings().directory_publisher
    if named:
        return named[:200]
    host = urlsplit(source).hostname if "://" in source else None
    return f"Publisher of {host or source}"[:200]


def publisher_info(name: str) -> OrganisationInfo:
    """The publisher's organisation, found or created by its name (its id follows the name)."""
    return OrganisationInfo(
        id=uuid.uuid5(IMPORT_NAMESPACE, f"organisation:{name.casefold()}"), name=name
    )
