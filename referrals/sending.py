"""Sending a referral: only to services that take network referrals, only what consent names.

If no active consent names the receiving organisation, nothing is sent: `ConsentMissing` says
exactly what is missing and where to record it. The referral records the consent (and its
version) it was sent under, and the recipient becomes involved with the client until the
referral ends; all in one transaction.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from consent import consents, facts, policy, record
from consent.facts import ClientFacts
from consent.involvement import start_new_involvement
from consent.vocabulary import CATEGORIES, CONTACT_WAYS, IDENTITY, category_label
from directory.tables import Service
from hub import audit, clock, notifications
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import (
    NotLanded,
    checks_wait_for_commit,
    in_transaction,
    insert_rows,
    transaction,
)
from hub.errors import Invalid
from hub.prepared import Prepared
from hub.tables import Organisation
from referrals import moves, notify
from referrals.lifecycle import REQUESTED, URGENCIES
from referrals.schemas import Notice, ReferralForm
from referrals.tables import Referral
from referrals.working_days import due_at

DEFAULT_RESPONSE_DAYS = 5
MAX_TEXT = 4000


class ConsentMissing(Invalid):
    """No (or not enough) consent names the receiving organisation: nothing was sent."""

    def __init__(
        self,
        message: str,
        errors: dict[str, str],
        *,
        client_id: UUID,
        organisation_id: UUID | None = None,
        organisation_name: str,
        missing: list[str],
    ) -> None:
        super().__init__(message, errors)
        self.client_id = client_id
        self.organisation_id = organisation_id
        self.organisation_name = organisation_name
        self.missing = missing

    @property
    def consent_url(self) -> str:
        """Where to record the consent that is missing: the organisation and categories ticked."""
        query = [("category", code) for code in self.missing]
        if self.organisation_id is not None:
            query.insert(0, ("organisation", str(self.organisation_id)))
        return f"/clients/{self.client_id}/consents/new" + (f"?{urlencode(query)}" if query else "")


def parse_id(value: str, field: str, message: str) -> UUID:
    """A UUID from a form field, or Invalid naming the field."""
    try:
        return UUID(value.strip())
    except (ValueError, AttributeError):
        raise Invalid(message, {field: message}) from None


def _service_read(service_id: Any) -> Any:
    """The service a referral goes to, with its organisation's name and active staff."""
    return Service.select(
        Service.id,
        Service.name,
        Service.organisation,
        Service.status,
        Service.referral_methods,
        Service.response_target_days,
        Service.organisation.name.as_alias("organisation_name"),
        notifications.active_staff_column('"service"."organisation"', "recipients"),
    ).where(Service.id == service_id)


_SERVICE = Prepared(_service_read)
_SERVICE_AND_FACTS = Prepared(
    lambda service_id, client_id, now, staff_id: facts.beside_one_client(
        _service_read(service_id), client_id, now, staff_id
    )
)


async def referrable_service(service_id: UUID, principal: Principal) -> dict[str, Any]:
    """An active service of another organisation that takes network referrals, or Invalid."""
    return _referrable(await _SERVICE.first(service_id), principal)


async def _service_and_facts(
    service_id: UUID, client_id: UUID, principal: Principal, reader: policy.Reader
) -> tuple[dict[str, Any], ClientFacts | None]:
    """`referrable_service` and the client's facts for this sender (`reader`, the staff
    member behind `principal`; None: no such client), in one read."""
    rows = await _SERVICE_AND_FACTS.rows(service_id, client_id, clock.now(), reader.staff_id)
    if not rows:
        return _referrable(None, principal), None
    service, read = facts.split_facts(rows[0], client_id)
    return _referrable(service, principal), read


def _referrable(row: dict[str, Any] | None, principal: Principal) -> dict[str, Any]:
    """The service read, if it is one the principal may refer to; Invalid if not."""
    message = ""
    if row is None or row["status"] == "defunct":
        message = "Choose a service from the directory"
    elif "network" not in row["referral_methods"].split(","):
        message = f"{row['name']} does not take network referrals: see the listing for how to refer"
    elif row["status"] != "active":
        message = f"{row['name']} is not open to referrals at the moment"
    elif roles.acts_for(principal, row["organisation"]):
        message = "This is your own organisation's service: you do not need to refer to it"
    if message:
        raise Invalid(message, {"service_id": message})
    assert row is not None
    return {**row, "recipients": notifications.recipients_from(row["recipients"])}


def _form_errors(form: ReferralForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.reason_client.strip():
        errors["reason_client"] = "Enter why the client wants this referral, in their words"
    if not form.reason_worker.strip():
        errors["reason_worker"] = "Enter why you are referring them"
    for field in ("reason_client", "reason_worker", "client_wants", "contact_when"):
        if len(getattr(form, field)) > MAX_TEXT:
            errors[field] = f"Keep this to {MAX_TEXT} characters or fewer"
    if form.urgency not in URGENCIES:
        errors["urgency"] = "Choose how urgent this is"
    if form.contact_how not in CONTACT_WAYS:
        errors["contact_how"] = "Choose how the service should contact the client"
    unknown = [c for c in form.categories if c not in CATEGORIES]
    if unknown:
        errors["categories"] = "Choose categories from the list"
    elif IDENTITY not in form.categories:
        errors["categories"] = "Include the client's identity, so the service knows who they are"
    return errors


async def _organisation_name(organisation_id: UUID) -> str:
    organisation = (
        await Organisation.select(Organisation.name)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return organisation["name"] if organisation else "the organisation"


async def check_consent(
    client_id: UUID,
    organisation_id: UUID,
    chosen: list[str],
    client_name: str = "",
    *,
    organisation_name: str = "",
    name_client: Callable[[], Awaitable[str]] | None = None,
    cover: policy.Coverage | None = None,
) -> policy.Coverage:
    """The coverage to send under, or ConsentMissing saying who has not agreed to share what
    with whom ("Sam has not agreed to share housing with Bridges Housing").

    `organisation_name` saves reading it; `name_client` is asked for the client's name only
    when something is missing (the message is the only thing that needs it); `cover` is the
    coverage when it was already read.
    """
    if cover is None:
        cover = await policy.coverage(client_id, organisation_id)
    missing = [c for c in chosen if c not in cover.categories]
    if cover.categories and not missing:
        return cover
    name = organisation_name or await _organisation_name(organisation_id)
    if name_client is not None:
        client_name = await name_client()
    who = client_name or "The client"
    if not cover.categories:
        missing = missing or [IDENTITY]
        message = (
            f"{who} has not agreed to share {_listed(missing)} with {name}: "
            f"no active consent names {name}. {cover.reason}"
        ).strip()
        field = "consent"
    else:
        message = f"{who} has not agreed to share {_listed(missing)} with {name}"
        field = "categories"
    raise ConsentMissing(
        message,
        {field: message},
        client_id=client_id,
        organisation_id=organisation_id,
        organisation_name=name,
        missing=missing,
    )


def _listed(codes: list[str]) -> str:
    """Category words joined as a person says them: "contact details, housing and health"."""
    words = [category_label(code) for code in codes]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _new_referral(
    principal: Principal,
    client_id: UUID,
    service: dict[str, Any],
    form: ReferralForm,
    chosen: list[str],
    cover: policy.Coverage,
    now: datetime,
    *,
    rerouted_from: UUID | None,
    reroute_reason: str,
) -> Referral:
    """The referral row, as sent now under `cover`."""
    days = service["response_target_days"] or DEFAULT_RESPONSE_DAYS
    return Referral(
        id=uuid.uuid4(),  # random: its first 8 characters are the reference people say aloud
        client=client_id,
        service=service["id"],
        service_name=service["name"],
        sender_organisation=principal.organisation_id,
        sender_staff=principal.id,
        recipient_organisation=service["organisation"],
        status=REQUESTED,
        version=1,
        urgency=form.urgency,
        reason_client=form.reason_client.strip(),
        reason_worker=form.reason_worker.strip(),
        client_wants=form.client_wants.strip(),
        contact_how=form.contact_how,
        contact_when=form.contact_when.strip(),
        categories=chosen,
        consent_id=cover.consent_id,
        consent_version=cover.consent_version,
        requested_at=now,
        due_at=due_at(now, days),
        rerouted_from=rerouted_from,
        reroute_reason=reroute_reason,
        updated_at=now,
    )


async def _called(decision: policy.Decision, client_id: UUID) -> str:
    """What the sender calls the client (their preferred name), when identity is theirs to see."""
    if not decision.identity_visible:
        return ""
    person = (await record.identities([client_id])).get(client_id)
    if person is None:
        return ""
    return person.preferred_name or person.full_name


class _Refused(Exception):
    """The sender may not act for the client: roll back, then refuse (audited) outside."""


Decide = Callable[[], Awaitable[tuple[policy.Decision | None, policy.Coverage]]]
"""What the sender may do with the client, and what their consents cover (`policy`)."""


async def _checked_referral(
    principal: Principal,
    client_id: UUID,
    service: dict[str, Any],
    form: ReferralForm,
    now: datetime,
    rerouted_from: UUID | None,
    reroute_reason: str,
    decide: Decide,
) -> tuple[Referral, policy.Coverage]:
    """Check access and consent on one read of the client's facts (`decide`): the referral to
    write, and the consent coverage it was checked against.

    Raises _Refused when the sender may not act for the client, ConsentMissing when the
    client's consents do not cover what is asked.
    """
    chosen = [c for c in CATEGORIES if c in form.categories]
    organisation_id = service["organisation"]
    decision, cover = await decide()
    if decision is None or not policy.allows(decision, act=True):
        raise _Refused
    cover = await check_consent(
        client_id,
        organisation_id,
        chosen,
        organisation_name=service["organisation_name"],
        name_client=lambda: _called(decision, client_id),
        cover=cover,
    )
    referral = _new_referral(
        principal,
        client_id,
        service,
        form,
        chosen,
        cover,
        now,
        rerouted_from=rerouted_from,
        reroute_reason=reroute_reason,
    )
    return referral, cover


async def _record_sending(
    principal: Principal,
    referral: Referral,
    service: dict[str, Any],
    now: datetime,
    at_commit: bool,
) -> None:
    """The referral's first event, the recipient's involvement, the audit entry and the news.

    `at_commit`: the referral and the involvement may wait for the commit (nothing in the
    transaction reads them; a caller's outer transaction might)."""
    await insert_rows(
        [moves.event_by(principal, referral.id, now, "sent", to_status=REQUESTED)],
        at_commit=True,
    )
    await start_new_involvement(
        referral.client,
        service["organisation"],
        f"referral:{referral.id}",
        principal,
        at_commit=at_commit,
    )
    await audit.record(
        "referral.sent",
        principal.actor,
        subject_type="referral",
        subject_id=str(referral.id),
        detail={
            "client_id": str(referral.client),
            "service_id": str(service["id"]),
            "consent_id": str(referral.consent_id),
            "consent_version": referral.consent_version,
            "categories": referral.categories,
            "rerouted_from": str(referral.rerouted_from) if referral.rerouted_from else "",
        },
    )
    notice = Notice(
        id=referral.id,
        service_name=service["name"],
        sender_staff=principal.id,
        recipient_organisation=service["organisation"],
    )
    await notify.recipients_told(
        notice,
        f"New referral to {notify.reference(notice)}",
        "referral.new",
        people=service["recipients"],
    )


async def send_referral(
    principal: Principal,
    form: ReferralForm,
    *,
    rerouted_from: UUID | None = None,
    reroute_reason: str = "",
) -> UUID:
    """Send the referral; returns its id. Invalid (or ConsentMissing) and nothing sent if not.

    NotFound (audited) when the sender may not act for the client.
    """
    client_id = parse_id(form.client_id, "client_id", "Choose the client")
    service_id = parse_id(form.service_id, "service_id", "Choose a service from the directory")
    reader = policy.reader_of(principal)  # only staff send: NotFound for anyone else, first
    # A caller's transaction (rerouting, the demo) reads the new row: it is written at once,
    # under the lock (as on SQLite, whose transactions hold its only write lock). Elsewhere
    # the client's facts are read with the service, and checked again at the commit.
    under_lock = in_transaction() or not checks_wait_for_commit()
    if under_lock:
        service, read = await referrable_service(service_id, principal), None
    else:
        service, read = await _service_and_facts(service_id, client_id, principal, reader)
    errors = _form_errors(form)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    now = clock.now()
    organisation_id = service["organisation"]
    made = functools.partial(
        _checked_referral, principal, client_id, service, form, now, rerouted_from, reroute_reason
    )
    read_again = functools.partial(policy.decide_and_cover, principal, client_id, organisation_id)
    try:
        if under_lock:
            checked = functools.partial(made, read_again)
            return await _sent_under_lock(principal, client_id, service, now, checked)
        try:
            on_read = functools.partial(
                policy.decide_and_cover_on, read, reader, client_id, organisation_id
            )
            checked = functools.partial(made, on_read)
            return await _sent_checked_at_commit(principal, client_id, service, now, checked)
        except NotLanded:  # their consents changed while they were read: again, in the lock
            checked = functools.partial(made, read_again)
            again = _sent_under_lock(principal, client_id, service, now, checked, at_commit=True)
            return await again
    except _Refused:
        await policy.refuse(principal, client_id, act=True)


Made = Callable[[], Awaitable[tuple[Referral, policy.Coverage]]]


async def _sent_under_lock(
    principal: Principal,
    client_id: UUID,
    service: dict[str, Any],
    now: datetime,
    made: Made,
    *,
    at_commit: bool = False,
) -> UUID:
    """Read and check the client's facts holding their consents, then write: the consents
    cannot change in between. `at_commit`: the new rows may wait for the commit."""
    async with transaction(locks=[consents.client_consents_lock(client_id)]):
        await consents.hold_client_consents(client_id)  # held since BEGIN: costs nothing
        referral, _ = await made()
        await insert_rows([referral], at_commit=at_commit)
        await _record_sending(principal, referral, service, now, at_commit)
    return UUID(str(referral.id))


async def _sent_checked_at_commit(
    principal: Principal, client_id: UUID, service: dict[str, Any], now: datetime, made: Made
) -> UUID:
    """Read and check the client's facts, then write everything in one statement that first
    holds their consents and checks none changed since the read (NotLanded if one did).

    A withdrawal holds the same lock: one committed before is seen at the commit, and one
    coming after waits for it. One round trip, where BEGIN, the lock and COMMIT were three.
    """
    referral, cover = await made()
    async with transaction():
        if not consents.unchanged_at_commit(client_id, cover):  # pragma: no cover - PostgreSQL
            raise NotLanded
        await insert_rows([referral], at_commit=True)
        await _record_sending(principal, referral, service, now, at_commit=True)
    return UUID(str(referral.id))
