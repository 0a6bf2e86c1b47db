"""Never into a hole: send a referral that was declined, failed or not answered in time elsewhere.

The sender is offered services of other organisations that meet the same needs (at least one
need category in common), take network referrals and are accepting now, best match first.
Re-routing cancels the original if it is still open (the same compare-and-set as any move,
reason "rerouted") and sends a copy to the chosen service, which records where it came from
and why, all in one transaction: if the new one cannot be sent (the client's consent does not
name the new organisation, say) nothing changes. Consent is checked for the new organisation
like any referral's.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

import msgspec

from consent import policy
from directory.schemas import CAPACITY_STATUSES
from directory.tables import ServiceTaxonomy
from directory.taxonomy import NEED_TAXONOMY_ID
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import insert_rows, locked, transaction
from hub.errors import Conflict, Forbidden, Invalid, Refused
from referrals import moves, sending
from referrals.access import referral_and_access
from referrals.lifecycle import (
    CANCELLED,
    DECLINE_REASONS,
    FAILED,
    FAILURE_REASONS,
    OPEN,
    REJECTED,
    REQUESTED,
    SENDER,
    STATUS_LABELS,
)
from referrals.rows import ChainLinkRow, SimilarServiceRow, StatusRow
from referrals.schemas import MoveForm, ReferralForm, ReferralRow, RerouteForm
from referrals.tables import Referral

ACCEPTING = ("accepting", "assessment_first")
MAX_OPTIONS = 10
MAX_REASON = 2000
MAX_CHAIN = 20


class SimilarService(msgspec.Struct, frozen=True, kw_only=True):
    """A service the referral could go to instead."""

    id: UUID
    name: str
    organisation_name: str
    capacity: str
    capacity_note: str
    response_target_days: int
    shared_needs: list[str]
    consent_names_them: bool
    """The client's consent already lets the referral's categories go to them."""


class RerouteOffer(msgspec.Struct, frozen=True, kw_only=True):
    """What the re-route page shows: why, where it could go, or why it cannot."""

    referral_id: UUID
    reference: str
    service_name: str
    recipient_organisation: str
    client_id: UUID
    version: int
    why: str
    """Why it is offered ("not answered in time", "declined: ..."); "" when it is not."""
    why_not: str = ""
    cancels_original: bool = False
    """The original is still open: re-routing cancels it."""
    rerouted_to: UUID | None = None
    services: list[SimilarService] = []


def _reference(row: ReferralRow) -> str:
    return str(row.id)[:8]


def offer_reason(row: ReferralRow) -> str:
    """Why the sender may send this referral elsewhere now, in words; "" if they may not."""
    status = row.status
    if status == REQUESTED and row.due_at is not None and clock.now() >= row.due_at:
        return "It was not answered within the service's response target."
    if status == REJECTED:
        label = DECLINE_REASONS.get(row.reason_code, "")
        return f"The service declined it{': ' + label.lower() if label else ''}."
    if status == FAILED:
        label = FAILURE_REASONS.get(row.reason_code, "")
        return f"The service could not complete it{': ' + label.lower() if label else ''}."
    return ""


async def rerouted_to(referral_id: UUID) -> UUID | None:
    """The referral this one was re-routed to, if any."""
    found = Referral.select(Referral.id).where(Referral.rerouted_from == referral_id)
    ids = await found.output(as_list=True)
    return ids[0] if ids else None


async def _tried_organisations(row: ReferralRow) -> set[UUID]:
    """Every organisation this referral's chain has already gone to, and the sender."""
    tried = {row.recipient_organisation, row.sender_organisation}
    earlier = row.rerouted_from
    for _ in range(MAX_CHAIN):
        if earlier is None:
            break
        links = msgspec.convert(
            await Referral.select(Referral.recipient_organisation, Referral.rerouted_from).where(
                Referral.id == earlier
            ),
            list[ChainLinkRow],
        )
        if not links:
            break
        tried.add(links[0].recipient_organisation)
        earlier = links[0].rerouted_from
    return tried


async def _need_terms(service_id: UUID) -> list[UUID]:
    terms = ServiceTaxonomy.select(ServiceTaxonomy.taxonomy_term).where(
        (ServiceTaxonomy.service == service_id)
        & (ServiceTaxonomy.taxonomy_term.taxonomy == NEED_TAXONOMY_ID)
    )
    return list(await terms.output(as_list=True))


async def _consent_names(client_id: UUID, organisation_id: UUID, categories: list[str]) -> bool:
    cover = await policy.coverage(client_id, organisation_id)
    return bool(cover.categories) and set(categories) <= cover.categories


async def similar_services(row: ReferralRow) -> list[SimilarService]:
    """Services of other organisations meeting the same needs, open to referrals now.

    Other organisations: not the sender, not the recipient, nor any the chain already went
    to. At least one need category in common, active, network referrals, accepting (or
    assessment first). Most needs in common first, then by name; at most MAX_OPTIONS.
    """
    terms = await _need_terms(row.service)
    if not terms:
        return []
    tried = await _tried_organisations(row)
    link = ServiceTaxonomy.service
    query = ServiceTaxonomy.select(
        link.as_alias("service_id"),
        ServiceTaxonomy.taxonomy_term.name.as_alias("need"),
        link.name.as_alias("name"),
        link.organisation.as_alias("organisation_id"),
        link._.organisation._.name.as_alias("organisation_name"),
        link.referral_methods.as_alias("referral_methods"),
        link.capacity_status.as_alias("capacity_status"),
        link.capacity_note.as_alias("capacity_note"),
        link.response_target_days.as_alias("response_target_days"),
    ).where(
        ServiceTaxonomy.taxonomy_term.is_in(terms)
        & (link.status == "active")
        & link.capacity_status.is_in(list(ACCEPTING))
        & link.referral_methods.like("%network%")
        & link.organisation.not_in(list(tried))
    )
    needs: dict[UUID, list[str]] = defaultdict(list)
    services: dict[UUID, SimilarServiceRow] = {}
    for found in msgspec.convert(await query, list[SimilarServiceRow]):
        if "network" not in found.referral_methods.split(","):
            continue
        needs[found.service_id].append(found.need)
        services[found.service_id] = found
    best = sorted(services.values(), key=lambda s: (-len(needs[s.service_id]), s.name))
    options = []
    for service in best[:MAX_OPTIONS]:
        options.append(
            SimilarService(
                id=service.service_id,
                name=service.name,
                organisation_name=service.organisation_name,
                capacity=CAPACITY_STATUSES.get(service.capacity_status, ""),
                capacity_note=service.capacity_note,
                response_target_days=(
                    service.response_target_days or sending.DEFAULT_RESPONSE_DAYS
                ),
                shared_needs=sorted(needs[service.service_id]),
                consent_names_them=await _consent_names(
                    row.client, service.organisation_id, list(row.categories)
                ),
            )
        )
    return options


async def _senders_referral(principal: Principal, referral_id: UUID) -> ReferralRow:
    row, access = await referral_and_access(principal, referral_id)
    if access.side != SENDER:
        msg = "Only the organisation that sent a referral can send it to another service."
        raise Forbidden(msg)
    return row


async def reroute_offer(principal: Principal, referral_id: UUID) -> RerouteOffer:
    """The re-route page for the sender: why, and the similar services; NotFound if not theirs."""
    row = await _senders_referral(principal, referral_id)
    onward = await rerouted_to(referral_id)
    why = "" if onward else offer_reason(row)
    why_not = ""
    if onward:
        why_not = "It has already been sent to another service."
    elif not why:
        label = STATUS_LABELS.get(row.status, row.status).lower()
        why_not = (
            f"It is {label}. A referral can go to another service when it is declined, fails "
            "or is not answered within the service's response target."
        )
    return RerouteOffer(
        referral_id=row.id,
        reference=_reference(row),
        service_name=row.service_name,
        recipient_organisation=row.recipient_organisation_name,
        client_id=row.client,
        version=row.version,
        why=why,
        why_not=why_not,
        cancels_original=bool(why) and row.status in OPEN,
        rerouted_to=onward,
        services=await similar_services(row) if why else [],
    )


def _copy(row: ReferralRow, service_id: UUID) -> ReferralForm:
    return ReferralForm(
        client_id=str(row.client),
        service_id=str(service_id),
        reason_client=row.reason_client,
        reason_worker=row.reason_worker,
        client_wants=row.client_wants,
        urgency=row.urgency,
        contact_how=row.contact_how,
        contact_when=row.contact_when,
        categories=list(row.categories),
    )


async def _checked_choice(row: ReferralRow, form: RerouteForm) -> tuple[UUID, str]:
    errors: dict[str, str] = {}
    reason = form.reason.strip()
    if not reason:
        errors["reason"] = "Say why you are sending it to another service"
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep this to {MAX_REASON} characters or fewer"
    service_id: UUID | None = None
    try:
        service_id = UUID(form.service_id.strip())
    except ValueError:
        errors["service_id"] = "Choose the service to send it to"
    if service_id is not None:
        offered = {s.id for s in await similar_services(row)}
        if service_id not in offered:
            errors["service_id"] = "Choose one of the similar services listed"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    assert service_id is not None
    return service_id, reason


async def _lock(referral_id: UUID) -> StatusRow:
    """The referral, locked for this transaction (SQLite's write lock already is)."""
    row = await locked(
        Referral.select(Referral.status, Referral.due_at).where(Referral.id == referral_id)
    ).first()
    assert row is not None
    return msgspec.convert(row, StatusRow)


async def reroute(principal: Principal, referral_id: UUID, form: RerouteForm) -> UUID:
    """Send the referral to the chosen similar service instead; returns the new referral's id.

    Raises NotFound (not theirs), Forbidden (the recipient asking), Refused (not offered
    now), Conflict (already re-routed, or someone moved it first), Invalid (no reason or service) or
    sending.ConsentMissing (consent does not name the new organisation). On any of them
    nothing changes.
    """
    row = await _senders_referral(principal, referral_id)
    if not offer_reason(row):
        msg = "This referral can go to another service only once declined, failed or overdue."
        raise Refused(msg)
    service_id, reason = await _checked_choice(row, form)
    async with transaction():
        locked = await _lock(referral_id)
        if await rerouted_to(referral_id):
            msg = "Someone has already sent this referral to another service."
            raise Conflict(msg)
        if locked.status in OPEN:
            cancel = MoveForm(
                action="cancel", version=row.version, reason_code="rerouted", reason_note=reason
            )
            await moves.move(principal, referral_id, cancel)
        new_id = await sending.send_referral(
            principal, _copy(row, service_id), rerouted_from=referral_id, reroute_reason=reason
        )
        # After the cancelling move's event, which waits for the commit too (at_commit).
        await insert_rows(
            [
                moves.event_by(
                    principal,
                    referral_id,
                    clock.now(),
                    "rerouted",
                    from_status=row.status,
                    to_status=CANCELLED if row.status in OPEN else row.status,
                    code="rerouted",
                )
            ],
            at_commit=True,
        )
        await audit.record(
            "referral.rerouted",
            principal.actor,
            subject_type="referral",
            subject_id=str(referral_id),
            detail={"to_referral": str(new_id), "to_service": str(service_id)},
        )
    return new_id
