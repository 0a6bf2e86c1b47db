"""What HSDS shows beside a listing: its organisation, taxonomies and terms, as Structs."""

from __future__ import annotations

from uuid import UUID

import msgspec


class OrganisationInfo(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation as HSDS shows it: hub.tables.Organisation plus its directory profile."""

    id: UUID
    name: str
    description: str = ""
    alternate_name: str = ""
    website: str = ""
    email: str = ""
    legal_status: str = ""


class TaxonomyInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A taxonomy (vocabulary)."""

    id: UUID
    name: str
    description: str = ""
    uri: str = ""
    version: str = ""


class TermInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A taxonomy term with what HSDS shows about it."""

    id: UUID
    code: str
    name: str
    taxonomy_id: UUID
    taxonomy_name: str = ""
    description: str = ""
    parent_id: UUID | None = None
