"""Exports: every listing as HSDS JSON (a list of full services) or as a CSV datapackage.

Both come from the same nested JSON the API serves, so the two formats and the API agree.
Defunct listings are exported too (with their status): an export is a complete copy.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from directory.exchange.csv_tables import (
    EXCEPTIONS_TABLE,
    TABLES,
    WRAPAROUND_SERVICE_COLUMNS,
    cell,
    file_name,
)
from directory.openreferral import lookups, mapping
from directory.openreferral.reads import full_services
from directory.tables import Service

BATCH = 200
Row = dict[str, Any]


async def service_ids() -> list[UUID]:
    """Every listing's id, by name."""
    rows = await Service.select(Service.id).order_by(Service.name, Service.id)
    return [row["id"] for row in rows]


async def services(progress: Callable[[int], None] | None = None) -> list[Row]:
    """Every listing as a fully nested HSDS service, loaded a batch at a time."""
    ids = await service_ids()
    found: list[Row] = []
    for start in range(0, len(ids), BATCH):
        batch = await full_services(ids[start : start + BATCH])
        found.extend(batch)
        if progress:
            progress(len(batch))
    return found


async def write_json(path: Path, progress: Callable[[int], None] | None = None) -> int:
    """Write the HSDS JSON export; returns how many services it holds."""
    found = await services(progress)
    _write_json_file(path, found)
    return len(found)


def _write_json_file(path: Path, found: list[Row]) -> None:
    path.write_bytes(msgspec.json.format(msgspec.json.encode(found), indent=2))


def _scalars(item: Row, columns: list[tuple[str, str]], **extra: Any) -> Row:
    row = {name: item.get(name) for name, _ in columns}
    row.update({key: value for key, value in extra.items() if value is not None})
    return row


def _service_row(service: Row) -> Row:
    row = _scalars(service, TABLES["services"])
    extension = service.get(mapping.EXTENSION) or {}
    for column, (key, inner) in WRAPAROUND_SERVICE_COLUMNS.items():
        value = extension.get(key)
        row[column] = value.get(inner) if inner and isinstance(value, dict) else value
    return row


def _place_rows(place: Row, tables: dict[str, dict[str, Row]]) -> None:
    location_id = place["id"]
    tables["locations"][location_id] = _scalars(place, TABLES["locations"])
    for table, key in (("addresses", "addresses"), ("accessibility", "accessibility")):
        for item in place.get(key, []):
            tables[table][item["id"]] = _scalars(item, TABLES[table], location_id=location_id)
    for table in ("phones", "schedules"):
        for item in place.get(table, []):
            tables[table][item["id"]] = _scalars(item, TABLES[table], location_id=location_id)
    extension = place.get(mapping.EXTENSION) or {}
    for item in extension.get("schedule_exceptions", []):
        tables[EXCEPTIONS_TABLE][item["id"]] = _scalars(
            item, TABLES[EXCEPTIONS_TABLE], location_id=location_id
        )
    if "organization" in extension:  # the building belongs to another organisation
        owner = extension["organization"]
        tables["organizations"][owner["id"]] = _scalars(owner, TABLES["organizations"])


def flatten(found: list[Row]) -> dict[str, dict[str, Row]]:
    """Nested services as HSDS tables (rows keyed by id, so shared rows appear once)."""
    tables: dict[str, dict[str, Row]] = {table: {} for table in TABLES}
    for service in found:
        service_id = service["id"]
        tables["services"][service_id] = _service_row(service)
        if "organization" in service:
            org = service["organization"]
            tables["organizations"][org["id"]] = _scalars(org, TABLES["organizations"])
        for link in service.get("service_at_locations", []):
            tables["service_at_location"][link["id"]] = _scalars(
                link, TABLES["service_at_location"]
            )
            _place_rows(link["location"], tables)
        for table in (
            "phones", "schedules", "contacts", "languages", "cost_options", "service_areas",
        ):  # fmt: skip
            for item in service.get(table, []):
                tables[table][item["id"]] = _scalars(item, TABLES[table], service_id=service_id)
        for item in (service.get(mapping.EXTENSION) or {}).get("schedule_exceptions", []):
            tables[EXCEPTIONS_TABLE][item["id"]] = _scalars(
                item, TABLES[EXCEPTIONS_TABLE], service_id=service_id
            )
        for attribute in service.get("attributes", []):
            tables["attributes"][attribute["id"]] = _scalars(attribute, TABLES["attributes"])
    return tables


async def _taxonomy_rows(tables: dict[str, dict[str, Row]]) -> None:
    """Every taxonomy and term (a fresh install must find the same ids and codes)."""
    _, taxonomies = await lookups.taxonomies_page()
    for taxonomy in taxonomies:
        row = mapping.taxonomy(taxonomy)
        tables["taxonomies"][row["id"]] = _scalars(row, TABLES["taxonomies"])
    _, terms = await lookups.terms_page(None)
    for term in terms:
        row = mapping.taxonomy_term(term)
        tables["taxonomy_terms"][row["id"]] = _scalars(row, TABLES["taxonomy_terms"])


def _descriptor(name: str) -> Row:
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": "Wraparound directory (HSDS 3.0 / Open Referral UK)",
        "resources": [
            {
                "name": table,
                "path": file_name(table),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": [{"name": n, "type": t} for n, t in columns]},
            }
            for table, columns in TABLES.items()
        ],
    }


def _rows(rows: dict[str, Row], columns: list[tuple[str, str]]) -> Iterator[list[str]]:
    yield [name for name, _ in columns]
    for row in rows.values():
        yield [cell(row.get(name)) for name, _ in columns]


async def write_datapackage(folder: Path, progress: Callable[[int], None] | None = None) -> int:
    """Write datapackage.json and one CSV per HSDS table; returns how many services."""
    found = await services(progress)
    tables = flatten(found)
    await _taxonomy_rows(tables)
    _write_tables(folder, tables)
    return len(found)


def _write_tables(folder: Path, tables: dict[str, dict[str, Row]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table, columns in TABLES.items():
        with (folder / file_name(table)).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(_rows(tables[table], columns))
    descriptor = _descriptor(folder.name or "wraparound-directory")
    (folder / "datapackage.json").write_bytes(msgspec.json.format(msgspec.json.encode(descriptor)))
