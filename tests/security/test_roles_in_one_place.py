"""Role rules are written once, in hub/accounts/roles.py, and every check agrees with them.

A scan of the code refuses any module that reads a signed-in person's role flags itself; a
property test runs every principal shape through the guards, the staff and listing rules and
the navigation, and checks each answer against the one statement in `roles`.
"""

from __future__ import annotations

import ast
import asyncio
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from directory.listings.access import may_edit, may_see_history
from hub.accounts import guards, roles
from hub.accounts.schemas import Principal
from hub.accounts.staff import may_manage_staff_of

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app.py", "consent", "directory", "hub", "plans", "referrals")
ROLE_FLAGS = {"is_org_admin", "is_system_admin", "organisation_kind"}
# Where a principal is built from its rows: the flags are set there, not tested.
BUILDERS = {
    "hub/accounts/roles.py",
    "hub/accounts/schemas.py",
    "hub/accounts/sessions.py",
    "hub/accounts/api_tokens.py",
}
PERSON_NAMES = {"principal", "p", "user", "asking", "caller"}


def _sources() -> list[Path]:
    found: list[Path] = []
    for name in PACKAGES:
        path = ROOT / name
        found.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return [p for p in found if "piccolo_migrations" not in p.parts]


def _reads_person_flag(node: ast.Attribute) -> bool:
    if node.attr not in ROLE_FLAGS:
        return False
    value = node.value
    if isinstance(value, ast.Name):
        return value.id in PERSON_NAMES
    return isinstance(value, ast.Attribute) and value.attr in PERSON_NAMES


def test_no_module_tests_a_role_itself() -> None:
    offenders = []
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative in BUILDERS:
            continue
        tree = ast.parse(path.read_text(), filename=relative)
        offenders += [
            f"{relative}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and _reads_person_flag(node)
        ]
    assert offenders == [], "role tests belong in hub/accounts/roles.py"


class _Connection:
    def __init__(self, principal: Principal | None) -> None:
        self.scope = {"user": principal}


ORGS = [uuid.UUID(int=1), uuid.UUID(int=2)]
principals = st.one_of(
    st.none(),
    st.builds(
        lambda kind, org, org_admin, system_admin, hub, token: Principal(
            kind=kind,
            id=uuid.UUID(int=9),
            name="Someone",
            session_key="s",
            organisation_id=org if kind == "staff" else None,
            organisation_kind="hub" if hub else "partner",
            is_org_admin=org_admin,
            is_system_admin=system_admin,
            token_id=uuid.UUID(int=7) if token else None,
        ),
        kind=st.sampled_from(["staff", "client"]),
        org=st.sampled_from([*ORGS, None]),
        org_admin=st.booleans(),
        system_admin=st.booleans(),
        hub=st.booleans(),
        token=st.booleans(),
    ),
)


def _allowed(guard, principal: Principal | None) -> bool:
    try:
        asyncio.run(guard(_Connection(principal), None))
    except (NotAuthorizedException, PermissionDeniedException):
        return False
    return True


@given(principal=principals, organisation=st.sampled_from(ORGS))
def test_every_check_agrees_with_the_one_statement(principal, organisation) -> None:
    staff = principal is not None and principal.kind == "staff"
    admin = staff and (principal.is_org_admin or principal.is_system_admin)
    system = staff and principal.is_system_admin
    own = staff and principal.organisation_id == organisation
    # The statement of the rules, in words: staff; admins; system admins; an organisation is
    # administered by its own admins and by every system admin.
    assert roles.is_staff(principal) == staff
    assert roles.is_admin(principal) == admin
    assert roles.is_system_admin(principal) == system
    administers = system or (admin and own)
    assert roles.administers(principal, organisation) == administers
    assert _allowed(guards.requires_staff, principal) == staff
    assert _allowed(guards.requires_org_admin, principal) == admin
    assert _allowed(guards.requires_system_admin, principal) == system
    assert may_edit(principal, organisation) == administers
    assert may_see_history(principal, organisation) == administers
    if principal is not None:
        assert may_manage_staff_of(principal, organisation) == administers
        for target_is_system_admin in (False, True):
            expected = system if target_is_system_admin else administers
            assert (
                roles.may_change_staff(
                    principal, organisation, target_is_system_admin=target_is_system_admin
                )
                == expected
            )


@pytest.mark.parametrize("href", ["/staff", "/admin/organisations"])
def test_navigation_uses_the_same_rules(href: str) -> None:
    from app import create_app
    from hub.web import navigation

    create_app()
    people = {
        "admin": Principal(kind="staff", id=ORGS[0], name="A", session_key="s", is_org_admin=True),
        "worker": Principal(kind="staff", id=ORGS[0], name="W", session_key="s"),
        "system": Principal(
            kind="staff", id=ORGS[0], name="S", session_key="s", is_system_admin=True
        ),
        "client": Principal(kind="client", id=ORGS[0], name="C", session_key="s"),
    }
    shown = [
        who
        for who, person in people.items()
        if href in {link["href"] for link in navigation.navigation_for(person, "/")}
    ]
    assert shown == (["system"] if href == "/admin/organisations" else ["admin", "system"])
