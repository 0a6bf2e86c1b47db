"""The client's own side: their consents and receipts, withdrawing or narrowing, who looked.

A client only ever reaches their own rows: every consent id in a portal URL is checked
against the signed-in client, and anyone else's looks exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from consent import access_log, consents, parental, policy, validation
from consent.rows import ConsentRow
from consent.schemas import AccessLogLine, ConsentGroup, ConsentNarrowing, ConsentView, Receipt
from consent.tables import Consent
from consent.vocabulary import (
    CATEGORIES,
    CURRENT_NOTICE,
    PLAN,
    PLAN_SHARING,
    PURPOSE_PHRASES,
    local_date,
)
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Invalid, NotFound
from hub.tables import Client, Organisation


def _client_id(principal: Principal) -> UUID:
    if not principal.is_client:
        msg = "No such page"
        raise NotFound(msg)
    return principal.id


async def own_consents(principal: Principal) -> list[ConsentView]:
    """Every consent the client has given, newest first."""
    rows = await consents.rows_where(Consent.client == _client_id(principal))
    return [consents.to_view(row) for row in rows]


def heading(consent: ConsentView) -> str:
    """Who may see and why, so two consents naming one organisation can be told apart."""
    purposes = [PURPOSE_PHRASES[code] for code in PURPOSE_PHRASES if code in consent.purposes]
    names = consent.organisation_names
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{who}, {' and '.join(purposes)}" if purposes else who


def grouped(views: list[ConsentView]) -> list[ConsentGroup]:
    """Versions of one consent together, newest consent first; each headed by its newest
    version's organisations and purposes."""
    series: dict[UUID, list[ConsentView]] = {}
    for view in sorted(views, key=lambda v: (v.given_at, v.version), reverse=True):
        series.setdefault(view.series, []).append(view)
    return [
        ConsentGroup(
            series=key,
            heading=heading(versions[0]),
            current=next((v for v in versions if v.live), None),
            versions=versions,
        )
        for key, versions in series.items()
    ]


async def own_consent_groups(principal: Principal) -> list[ConsentGroup]:
    """The client's consents, each with its versions, newest first."""
    return grouped(await own_consents(principal))


async def _own_row(principal: Principal, consent_id: UUID) -> ConsentRow:
    client_id = _client_id(principal)
    rows = await consents.rows_where((Consent.id == consent_id) & (Consent.client == client_id))
    if not rows:
        await audit.record(
            "consent.refused", principal.actor, subject_type="consent", subject_id=str(consent_id)
        )
        msg = "No such consent"
        raise NotFound(msg)
    return rows[0]


async def own_receipt(principal: Principal, consent_id: UUID) -> Receipt:
    """The client's copy of a consent receipt."""
    row = await _own_row(principal, consent_id)
    names = Client.select(Client.full_name).where(Client.id == principal.id)
    client_name = next(iter(await names.output(as_list=True)), "")
    return Receipt(consent=consents.to_view(row), client_name=client_name)


async def live_own_consent(principal: Principal, consent_id: UUID) -> ConsentView:
    """One of the client's consents that they can still withdraw or narrow."""
    row = await _own_row(principal, consent_id)
    consents.require_live(row)
    return consents.to_view(row)


async def withdraw_own(principal: Principal, consent_id: UUID) -> None:
    """The client withdraws a consent themselves: it stops at once."""
    row = await _own_row(principal, consent_id)
    consents.require_live(row)
    await consents.end_consent(consent_id, policy.WITHDRAWN, principal.actor, "portal")


async def narrow_own(principal: Principal, consent_id: UUID, form: ConsentNarrowing) -> UUID:
    """Keep only some of a consent's organisations and categories: a new, smaller version.

    Only removing is possible here; anything not in the consent already is refused, so a
    forged form cannot widen it. Raises Invalid when nothing would be removed, or everything.
    """
    row = await _own_row(principal, consent_id)
    consents.require_live(row)
    had_orgs = [str(org) for org in row.organisation_ids]
    had_categories = list(row.categories)
    errors: dict[str, str] = {}
    if set(form.organisation_ids) - set(had_orgs):
        errors["organisation_ids"] = "You can only remove organisations here"
    elif not form.organisation_ids:
        errors["organisation_ids"] = (
            "Keep at least one organisation, or stop sharing altogether instead"
        )
    if set(form.categories) - set(had_categories):
        errors["categories"] = "You can only remove information here"
    elif not form.categories:
        errors["categories"] = "Keep at least one kind of information, or stop sharing instead"
    if not errors and (
        set(form.organisation_ids) == set(had_orgs) and set(form.categories) == set(had_categories)
    ):
        errors["organisation_ids"] = "Untick what you no longer want to share"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    names = {str(org): name for org, name in row.named()}
    kept_orgs = [org for org in had_orgs if org in form.organisation_ids]
    today = local_date(clock.now())
    values = row.given() | {
        "organisation_ids": kept_orgs,
        "organisation_names": [names[org] for org in kept_orgs],
        "categories": [code for code in CATEGORIES if code in form.categories],
        "valid_from": max(today, row.valid_from),
        "method": "electronic",
        "notice_version": CURRENT_NOTICE,
        "capacity": "not_assessed",
        "capacity_note": "",
        "given_by": "client",
        "representative_name": "",
        "representative_authority": "",
        "representative_evidence": "",
        "obtained_by_staff": None,
        "obtained_by_organisation": None,
    }
    async with transaction():
        return await consents.insert_version(principal.id, values, principal.actor, replaces=row)


async def who_saw(principal: Principal) -> list[AccessLogLine]:
    """Who saw the client's record, newest first."""
    return await access_log.for_client(_client_id(principal))


async def share_plan_with(principal: Principal, organisation_id: UUID) -> UUID:
    """The client agrees online that one organisation may see their plan: a new consent.

    Names only that organisation, only the plan, only for sharing it, for twelve months.
    Returns the consent's id.
    """
    client_id = _client_id(principal)
    names = Organisation.select(Organisation.name).where(Organisation.id == organisation_id)
    organisation_name = next(iter(await names.output(as_list=True)), None)
    if organisation_name is None:
        msg = "Choose an organisation"
        raise Invalid(msg, {"organisation_id": msg})
    start, end = validation.default_period(local_date(clock.now()))
    values: dict[str, Any] = {
        "organisation_ids": [str(organisation_id)],
        "organisation_names": [organisation_name],
        "categories": [PLAN],
        "purposes": [PLAN_SHARING],
        "valid_from": start,
        "valid_to": end,
        "method": "electronic",
        "notice_version": CURRENT_NOTICE,
        "capacity": "not_assessed",
        "capacity_note": "",
        "given_by": "client",
        "obtained_by_staff": None,
        "obtained_by_organisation": None,
    }
    await parental.check_giver(client_id, values)  # a child's is given by their parent
    async with transaction():
        return await consents.insert_version(client_id, values, principal.actor)
