"""Synthetic Open Referral UK feed files of any size, written as a stream (benchmarks, tests).

Each service has an organisation, a location with an address and a point, weekly hours, a
phone, languages and need categories, and a description in HTML; one in twenty has a web
address without https://, as real feeds do. Listings come from directory.generate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from directory import schemas
from directory.generate import Generator
from directory.taxonomy import NEED_TAXONOMY_ID, NEED_TAXONOMY_NAME

CHUNK = 1000


def service_json(record: schemas.ServiceRecord, number: int) -> dict[str, Any]:
    """One listing as an HSDS 3.0 / Open Referral UK service object."""
    place = record.locations[0]
    slug = f"service-{number}.example.org"
    return {
        "id": str(record.id),
        "name": record.name,
        "description": f"<p>{record.description}</p><ul><li>Free &amp; friendly</li></ul>",
        "url": slug if number % 20 == 0 else f"https://{slug}/",
        "email": f"hello@{slug}",
        "status": "active",
        "organization": {"id": str(record.organisation_id), "name": record.organisation_name},
        "service_at_locations": [
            {
                "location": {
                    "id": str(place.id),
                    "name": place.name,
                    "latitude": place.latitude,
                    "longitude": place.longitude,
                    "addresses": [
                        {
                            "address_1": place.address_1,
                            "city": place.city,
                            "postal_code": place.postal_code,
                            "country": "GB",
                        }
                    ],
                }
            }
        ],
        "schedules": [
            {
                "id": str(rule.id),
                "freq": rule.freq,
                "byday": rule.byday,
                "opens_at": rule.opens_at.isoformat(),
                "closes_at": rule.closes_at.isoformat(),
            }
            for rule in record.schedules
        ],
        "phones": [{"id": str(phone.id), "number": phone.number} for phone in record.phones],
        "languages": [
            {"id": str(language.id), "code": language.code, "name": language.name}
            for language in record.languages
        ],
        "attributes": [
            {
                "taxonomy_term": {
                    "id": str(term.id),
                    "code": term.code,
                    "name": term.name,
                    "taxonomy_detail": {"id": str(NEED_TAXONOMY_ID), "name": NEED_TAXONOMY_NAME},
                }
            }
            for term in record.terms
        ],
    }


def _write(out: BinaryIO, count: int, seed: int | None) -> None:
    generator = Generator(seed)
    encoder = msgspec.json.Encoder()
    out.write(b"[")
    for start in range(0, count, CHUNK):
        batch = generator.batch(min(CHUNK, count - start), start)
        for offset, record in enumerate(batch.records):
            number = start + offset
            out.write(b",\n" if number else b"\n")
            out.write(encoder.encode(service_json(record, number)))
    out.write(b"\n]\n")


def write_feed(path: Path, count: int, seed: int | None = None) -> Path:
    """Write `count` synthetic services to `path` as a JSON list; returns the path."""
    with path.open("wb") as out:
        _write(out, count, seed)
    return path
