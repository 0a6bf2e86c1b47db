"""The navigation is data: built once, whatever number of apps a process makes."""

from __future__ import annotations

import uuid

import pytest

from hub.accounts.schemas import Principal
from hub.web import navigation


def _links(principal: Principal) -> list[str]:
    return [link["href"] for link in navigation.navigation_for(principal, "/")]


def test_building_the_app_twice_adds_no_second_menu() -> None:
    from app import create_app

    create_app()
    first = [(item.href, item.text, item.audience) for item in navigation.items()]
    create_app()
    create_app()
    assert [(item.href, item.text, item.audience) for item in navigation.items()] == first
    admin = Principal(
        kind="staff", id=uuid.uuid4(), name="A", session_key="s", is_system_admin=True
    )
    hrefs = _links(admin)
    assert len(hrefs) == len(set(hrefs))
    assert {"/", "/directory", "/clients", "/referrals", "/staff", "/admin/organisations"} <= set(
        hrefs
    )
    client = Principal(kind="client", id=uuid.uuid4(), name="C", session_key="s")
    assert {"/", "/portal/plan", "/portal/consents"} <= set(_links(client))
    assert "/clients" not in _links(client)


def test_an_audience_must_be_one_the_roles_define() -> None:
    with pytest.raises(ValueError, match="Unknown navigation audience"):
        navigation.NavItem("/x", "X", "friends")
