"""The ORUK 3.0 schemas as the validator applies them; shared by every Open Referral test.

The standards are copied into the repository (`tests/data/openreferral`, with their sources and
licences), so a clone alone runs these tests. The checker is strict on
formats (uuid, uri, email, date-time), and these tests prove it: the validator's own passing
sample responses pass here and its failing ones fail.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from directory.openreferral.formats import is_uri

REPO = Path(__file__).resolve().parents[2]
STANDARDS = REPO / "tests" / "data" / "openreferral"
ORUK_SCHEMAS = STANDARDS / "oruk-3.0" / "schema"
VALIDATOR_FIXTURES = STANDARDS / "oruk-validator-fixtures"
HSDS_EXAMPLES = STANDARDS / "hsds-3.0-examples"
BASE = "https://schemas.test/oruk/"
PAGE_KEYS = (
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
)
# Which compiled schema each kind of response is checked against.
SCHEMA_OF = {
    "service": "service.json",
    "service_list": "service_list.json",
    "service_package": "service_package.json",
    "service_at_location": "service_at_location.json",
    "service_at_location_list": "service_at_location_list.json",
    "organization": "organization.json",
    "organization_list": "organization_list.json",
    "taxonomy": "service_with_definitions.json#/definitions/taxonomy",
    "taxonomy_term": "service_with_definitions.json#/definitions/taxonomy_term",
}


def standards() -> Path:
    """The Open Referral schemas and fixtures, kept with the tests."""
    return STANDARDS


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings
    if "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _uri(value: object) -> bool:
    return not isinstance(value, str) or is_uri(value)


@cache
def _checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("uri")(_uri)
    checker.checks("date-time")(_date_time)
    return checker


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(ORUK_SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text())
        resources.append((BASE + path.name, Resource.from_contents(contents, DRAFT202012)))
    openapi = json.loads((ORUK_SCHEMAS / "openapi.json").read_text())
    root = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    page = openapi["components"]["schemas"]["Page"]
    resources.append((BASE + "root.json", DRAFT202012.create_resource(root["schema"])))
    resources.append((BASE + "page.json", DRAFT202012.create_resource(page)))
    return Registry().with_resources(resources)


@cache
def _validator(kind: str) -> Draft202012Validator:
    target = SCHEMA_OF.get(kind, f"{kind}.json")
    return Draft202012Validator(
        {"$ref": BASE + target}, registry=_registry(), format_checker=_checker()
    )


def problems(instance: Any, kind: str) -> list[str]:
    """Every schema violation of `instance` as `kind`, as readable lines."""
    standards()
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in _validator(kind).iter_errors(instance)
    ]


def assert_valid(instance: Any, kind: str) -> None:
    """Fail with every violation listed when `instance` is not a valid `kind`."""
    found = problems(instance, kind)
    assert not found, f"{kind} invalid:\n" + "\n".join(found[:20])


def assert_valid_page(body: Any, item_kind: str) -> None:
    """A page envelope with every key, sound arithmetic and every item a valid `item_kind`."""
    assert_valid(body, "page")
    missing = [key for key in PAGE_KEYS if key not in body]
    assert not missing, f"page lacks {missing}"
    assert body["size"] == len(body["contents"])
    assert body["empty"] == (not body["contents"])
    assert body["first_page"] == (body["page_number"] == 1)
    assert body["last_page"] == (body["page_number"] >= body["total_pages"])
    for item in body["contents"]:
        assert_valid(item, item_kind)


def fixture(*parts: str) -> Any:
    """A JSON file from the shared standards."""
    return json.loads(standards().joinpath(*parts).read_text())


def test_the_validators_passing_samples_pass_and_failing_ones_fail_on_the_right_fields() -> None:
    default = ("oruk-validator-fixtures", "V3.0-UK-Default")
    assert_valid(fixture(*default, "api_details.json"), "root")
    assert_valid(fixture(*default, "service_full.json"), "service")
    assert_valid_page(fixture(*default, "service_list.json"), "service_list")
    assert_valid(fixture(*default, "service_at_location_full.json"), "service_at_location")
    assert_valid_page(
        fixture(*default, "service_at_location_list.json"), "service_at_location_list"
    )
    assert_valid(fixture(*default, "taxonomy.json"), "taxonomy")
    assert_valid(fixture(*default, "taxonomy_term.json"), "taxonomy_term")
    assert_valid_page(fixture(*default, "taxonomy_term_list.json"), "taxonomy_term")
    failing = ("oruk-validator-fixtures", "V3.0-UK-Fail")
    service = problems(fixture(*failing, "service_full.json"), "service")
    assert any(line.startswith("url:") for line in service), service
    assert any(line.startswith("email:") for line in service), service
    listed = fixture(*failing, "service_list.json")["contents"]
    for item in listed:
        assert any(
            "'name' is a required property" in line for line in problems(item, "service_list")
        )
