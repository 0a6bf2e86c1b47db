"""An HSDS CSV datapackage read back into nested service objects, each part knowing its line.

The tables are found through datapackage.json's resources when it lists them, else by their
standard names. Every assembled object carries where it came from ("locations.csv line 3"),
so a problem is reported against the file and line to fix.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import msgspec

from directory.exchange.csv_tables import (
    EXCEPTIONS_TABLE,
    TABLES,
    WRAPAROUND_SERVICE_COLUMNS,
    file_name,
)
from directory.exchange.fields import WHERE_KEY
from hub.csv_cells import read_cell
from hub.errors import Invalid

Row = dict[str, Any]


def _resource_paths(folder: Path) -> dict[str, Path]:
    paths = {table: folder / file_name(table) for table in TABLES}
    descriptor = folder / "datapackage.json"
    try:
        resources = msgspec.json.decode(descriptor.read_bytes()).get("resources", [])
    except (OSError, msgspec.DecodeError, AttributeError):
        return paths  # no descriptor, or not one we can read: the standard names will do
    for resource in resources if isinstance(resources, list) else []:
        path = resource.get("path") if isinstance(resource, dict) else None
        if isinstance(path, str) and not Path(path).is_absolute() and ".." not in Path(path).parts:
            table = str(resource.get("name") or Path(path).stem)
            paths[table] = folder / path
    return paths


def _read(path: Path) -> list[Row]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for row in reader:
            cleaned: Row = {
                key: read_cell(value)
                for key, value in row.items()
                if key and value not in (None, "")
            }
            cleaned[WHERE_KEY] = f"{path.name} line {reader.line_num}"
            rows.append(cleaned)
        return rows


def _by(rows: list[Row], key: str) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get(key):
            grouped[row[key]].append(row)
    return grouped


class Datapackage:
    """The tables of one datapackage folder, indexed for assembling services."""

    def __init__(self, folder: Path) -> None:
        paths = _resource_paths(folder)
        if not paths["services"].is_file():
            msg = f"{folder} has no services.csv (nor a datapackage.json naming it)"
            raise Invalid(msg)
        self.tables = {table: _read(path) for table, path in paths.items()}
        self.organisations = {
            row["id"]: row for row in self.tables.get("organizations", []) if "id" in row
        }
        self.locations = {row["id"]: row for row in self.tables.get("locations", []) if "id" in row}
        self.terms = {
            row["id"]: row for row in self.tables.get("taxonomy_terms", []) if "id" in row
        }
        self.taxonomies = {
            row["id"]: row for row in self.tables.get("taxonomies", []) if "id" in row
        }
        self.links = _by(self.tables.get("service_at_location", []), "service_id")
        self.attributes = _by(self.tables.get("attributes", []), "link_id")
        self.by_location = {
            table: _by(
                [r for r in self.tables.get(table, []) if not r.get("service_id")], "location_id"
            )
            for table in ("addresses", "accessibility", "phones", "schedules", EXCEPTIONS_TABLE)
        }
        self.by_service = {
            table: _by(self.tables.get(table, []), "service_id")
            for table in (
                "phones", "schedules", "contacts", "languages", "cost_options", "service_areas",
                EXCEPTIONS_TABLE,
            )
        }  # fmt: skip

    @property
    def services(self) -> list[Row]:
        """The rows of services.csv."""
        return self.tables["services"]

    def _location(self, location_id: str) -> Row | None:
        row = self.locations.get(location_id)
        if row is None:
            return None
        place = dict(row)
        for table in ("addresses", "accessibility", "phones", "schedules"):
            place[table] = self.by_location[table].get(location_id, [])
        place["wraparound"] = {
            WHERE_KEY: row[WHERE_KEY],
            "schedule_exceptions": self.by_location[EXCEPTIONS_TABLE].get(location_id, []),
        }
        owner = self.organisations.get(row.get("organization_id", ""))
        if owner:
            place["wraparound"]["organization"] = owner
        return place

    def _term(self, term_id: str) -> Row | None:
        row = self.terms.get(term_id)
        if row is None:
            return None
        term = dict(row)
        taxonomy = self.taxonomies.get(row.get("taxonomy_id", ""))
        if taxonomy:
            term["taxonomy_detail"] = taxonomy
        return term

    def service(self, row: Row) -> Row:
        """One services.csv row with everything that belongs to it, nested as in HSDS JSON."""
        service_id = row.get("id", "")
        data = {key: value for key, value in row.items() if key not in WRAPAROUND_SERVICE_COLUMNS}
        organisation = self.organisations.get(row.get("organization_id", ""))
        if organisation:
            data["organization"] = organisation
        data["service_at_locations"] = [
            {**link, "location": self._location(link.get("location_id", ""))}
            for link in self.links.get(service_id, [])
            if link.get("location_id") in self.locations
        ]
        for table in (
            "phones",
            "schedules",
            "contacts",
            "languages",
            "cost_options",
            "service_areas",
        ):
            data[table] = self.by_service[table].get(service_id, [])
        data["attributes"] = [
            {**attribute, "taxonomy_term": term}
            for attribute in self.attributes.get(service_id, [])
            if (term := self._term(attribute.get("taxonomy_term_id", ""))) is not None
        ]
        data["wraparound"] = self._extension(row, service_id)
        return data

    def _extension(self, row: Row, service_id: str) -> Row | None:
        exceptions = self.by_service[EXCEPTIONS_TABLE].get(service_id, [])
        present = [column for column in WRAPAROUND_SERVICE_COLUMNS if column in row]
        if not present and not exceptions:
            return None
        extension: Row = {WHERE_KEY: row[WHERE_KEY], "schedule_exceptions": exceptions}
        capacity: Row = {WHERE_KEY: row[WHERE_KEY]}
        for column in present:
            key, inner = WRAPAROUND_SERVICE_COLUMNS[column]
            if inner:
                capacity[inner] = row[column]
            else:
                extension[key] = row[column]
        extension["capacity"] = capacity
        return extension
