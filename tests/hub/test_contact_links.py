"""tel: and mailto: addresses made from numbers and addresses as people write them."""

from __future__ import annotations

import pytest

from hub.web.contact_links import mailto_uri, tel_uri


@pytest.mark.parametrize(
    ("number", "extension", "expected"),
    [
        ("01382 432 000", "", "tel:01382432000"),
        ("(01382) 432-000", "", "tel:01382432000"),
        ("+44 1382 432000", "", "tel:+441382432000"),
        ("0800 123 4567", "12", "tel:08001234567;ext=12"),
        ("ask at reception", "", ""),
        ("", "", ""),
    ],
)
def test_a_written_number_becomes_something_a_phone_can_dial(number, extension, expected):
    assert tel_uri(number, extension) == expected


def test_only_plain_addresses_become_mailto_links():
    assert mailto_uri(" help@example.org ") == "mailto:help@example.org"
    assert mailto_uri("not an address") == ""
    assert mailto_uri("a@b.org?cc=evil@x.org") == ""
