"""Consents: given by the client, never edited; changed by a new version; withdrawn at once.

A given consent row is final. The only writes to it are its ending (withdrawn, or replaced by
the next version in one transaction) and the mark that its expiry was audited. Database
triggers refuse anything else (see the consent migrations).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from consent import access_log, parental, policy, references, validation
from consent.facts import consent_fact
from consent.rows import ConsentRow
from consent.schemas import ConsentForm, ConsentView, Receipt, StaffWithdrawal
from consent.tables import Consent
from consent.vocabulary import IDENTITY, local_date
from hub import audit, clock, outbox
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import guard_under_lock_at_commit, lock, named_lock, transaction
from hub.errors import Conflict, Invalid, NotFound, Refused
from hub.tables import Client

WITHDRAWAL_WAYS = {
    "in_person": "Told a member of staff in person",
    "phone": "Told a member of staff by phone",
    "writing": "In writing",
}

_COLUMNS = (
    Consent.id,
    Consent.client.as_alias("client_id"),
    Consent.series,
    Consent.version,
    Consent.organisation_ids,
    Consent.organisation_names,
    Consent.categories,
    Consent.purposes,
    Consent.valid_from,
    Consent.valid_to,
    Consent.method,
    Consent.notice_version,
    Consent.capacity,
    Consent.capacity_note,
    Consent.given_by,
    Consent.representative_name,
    Consent.representative_authority,
    Consent.representative_evidence,
    Consent.obtained_by_staff.name.as_alias("obtained_by"),
    Consent.obtained_by_organisation.as_alias("obtained_by_organisation_id"),
    Consent.obtained_by_organisation.name.as_alias("obtained_by_organisation"),
    Consent.given_at,
    Consent.withdrawn_at,
    Consent.withdrawn_reason,
    Consent.withdrawn_how,
    Consent.expiry_noted_at,
)

_CLIENT_CONSENTS = named_lock("consent.client_consents")


def client_consents_lock(client_id: UUID) -> tuple[str, str]:
    """The lock `hold_client_consents` takes, for `hub.db.transaction(locks=...)`."""
    return _CLIENT_CONSENTS, str(client_id)


# Every change to a client's consents adds a row or ends one (rows are never edited else).
_COUNTED = "SELECT count(*) AS total, count(withdrawn_at) AS ended FROM consent WHERE client = '{}'"


def unchanged_at_commit(client_id: UUID, cover: policy.Coverage) -> bool:
    """At the commit, hold the client's consents and check they are as `cover` was read.

    For acting under a consent read outside the lock: on PostgreSQL the transaction's last
    statement takes the lock `hold_client_consents` takes, then counts the client's consents
    and those ended; if either differs from `cover.read_as`, a change came in between and the
    commit raises NotLanded, nothing written. False where this cannot wait for the commit
    (SQLite): take the lock first instead.
    """
    total, ended = cover.read_as
    return guard_under_lock_at_commit(
        *client_consents_lock(client_id),
        _COUNTED.format(UUID(str(client_id))),  # an id, never text from outside
        {"total": total, "ended": ended},
    )


async def hold_client_consents(client_id: UUID) -> None:
    """Hold the client's consents still until the current transaction ends.

    Giving, replacing and withdrawing a consent take this lock, and so does anything that acts
    under a consent (sending a referral): whoever takes it second sees the first's change, so
    nothing is ever done under a consent withdrawn before it was written.
    """
    await lock(*client_consents_lock(client_id))


CONSENT_CHANGED_JOB = "consent.changed"
"""Outbox job kind written whenever a client's consents change; features that act on a change
(referrals suspend and resume) register a handler for it. Its payload: client_id, consent_id,
change (given | withdrawn)."""


async def announce_change(client_id: UUID, consent_id: UUID, change: str) -> None:
    """Queue the consent-changed job, inside the transaction of the change."""
    await outbox.enqueue(
        CONSENT_CHANGED_JOB,
        {"client_id": str(client_id), "consent_id": str(consent_id), "change": change},
    )


async def rows_where(where: Any) -> list[ConsentRow]:
    """Consent rows, newest first, typed, with expiries first seen now audited."""
    found = msgspec.convert(
        await Consent.select(*_COLUMNS)
        .where(where)
        .order_by(Consent.given_at, ascending=False)
        .output(load_json=True),
        list[ConsentRow],
    )
    named = await references.for_consents([row.id for row in found])
    rows = [msgspec.structs.replace(row, reference=named.get(row.id, "")) for row in found]
    await policy.observe_expiries([consent_fact(row) for row in rows], clock.now())
    return rows


def to_view(row: ConsentRow, only_for: UUID | None = None) -> ConsentView:
    """A consent row as a view; with `only_for`, only that organisation's part of it."""
    pairs = row.named()
    view: dict[str, Any] = {
        **row.given(),
        "id": row.id,
        "client_id": row.client_id,
        "series": row.series,
        "version": row.version,
        "status": policy.consent_state(consent_fact(row), clock.now()),
        "organisation_ids": [org for org, _ in pairs],
        "organisation_names": [name for _, name in pairs],
        "obtained_by": row.obtained_by or "",
        "obtained_by_organisation": row.obtained_by_organisation or "",
        "given_at": row.given_at,
        "withdrawn_at": row.withdrawn_at,
        "withdrawn_reason": row.withdrawn_reason,
        "withdrawn_how": row.withdrawn_how,
        "reference": row.reference,
    }
    if only_for is not None:
        mine = [(org, name) for org, name in pairs if org == only_for]
        view |= {
            "organisation_ids": [org for org, _ in mine],
            "organisation_names": [name for _, name in mine],
            "obtained_by": "",
            "obtained_by_organisation": "",
            "capacity_note": "",
            "representative_name": "",
            "representative_evidence": "",
            "full": False,
        }
    return ConsentView(**view)


def _access(decision: policy.Decision, row: ConsentRow) -> str | None:
    organisations = frozenset(row.organisation_ids)
    return policy.consent_access(decision, organisations, row.obtained_by_organisation_id)


async def for_decision(decision: policy.Decision) -> list[ConsentView]:
    """The client's consents as far as the policy lets this reader see them."""
    views = []
    for row in await rows_where(Consent.client == decision.client_id):
        access = _access(decision, row)
        if access == policy.FULL:
            views.append(to_view(row))
        elif access == policy.OWN_PART:
            views.append(to_view(row, only_for=decision.organisation_id))
    return views


async def insert_version(
    client_id: UUID,
    values: Mapping[str, Any],
    actor: Actor,
    *,
    replaces: ConsentRow | None = None,
) -> UUID:
    """Write a consent (a new series, or the next version of `replaces`, which ends now).

    `values` are the given fields plus who obtained it (`obtained_by_staff`,
    `obtained_by_organisation`; None when the client did it in the portal). Call inside a
    transaction. Raises Conflict if `replaces` has ended meanwhile.
    """
    await hold_client_consents(client_id)
    now = clock.now()
    if replaces is not None:
        await end_consent(replaces.id, policy.REPLACED, actor, "new version")
    consent = Consent(
        client=client_id,
        series=replaces.series if replaces else uuid.uuid4(),
        version=replaces.version + 1 if replaces else 1,
        supersedes=replaces.id if replaces else None,
        given_at=now,
        **values,
    )
    await Consent.insert(consent)
    await references.assign(consent.id)
    await announce_change(client_id, consent.id, "given")
    await audit.record(
        "consent.given",
        actor,
        subject_type="consent",
        subject_id=str(consent.id),
        detail={
            "client_id": str(client_id),
            "series": str(consent.series),
            "version": consent.version,
            "supersedes": str(replaces.id) if replaces else "",
        },
    )
    return UUID(str(consent.id))


async def end_consent(consent_id: UUID, reason: str, actor: Actor, how: str) -> None:
    """Withdraw or replace a live consent, once; Conflict if it has already ended."""
    async with transaction():
        owners = Consent.select(Consent.client).where(Consent.id == consent_id)
        for owner in await owners.output(as_list=True):
            await hold_client_consents(owner)
        ended = (
            await Consent.update(
                {
                    Consent.withdrawn_at: clock.now(),
                    Consent.withdrawn_reason: reason,
                    Consent.withdrawn_by_kind: actor.kind,
                    Consent.withdrawn_by_id: actor.id,
                    Consent.withdrawn_how: how,
                }
            )
            .where((Consent.id == consent_id) & Consent.withdrawn_at.is_null())
            .returning(Consent.id, Consent.client)
        )
        if not ended:
            msg = "This consent has already ended"
            raise Conflict(msg)
        if reason == policy.WITHDRAWN:
            await announce_change(ended[0]["client"], consent_id, reason)
        await audit.record(
            f"consent.{reason}",
            actor,
            subject_type="consent",
            subject_id=str(consent_id),
            detail={"how": how},
        )


def obtained_by(principal: Principal) -> dict[str, Any]:
    """The columns saying which worker and organisation obtained a consent."""
    return {
        "obtained_by_staff": principal.id,
        "obtained_by_organisation": principal.organisation_id,
    }


def require_live(row: ConsentRow) -> None:
    """Refused unless the consent is active or yet to start."""
    if policy.consent_state(consent_fact(row), clock.now()) not in (
        policy.ACTIVE,
        policy.PENDING,
    ):
        msg = "This consent has already ended"
        raise Refused(msg)


async def give_consent(principal: Principal, client_id: UUID, form: ConsentForm) -> UUID:
    """Record a new consent the client gave to this worker's organisation."""
    await policy.check(principal, client_id, act=True)
    values = await validation.validated(form, local_date(clock.now())) | obtained_by(principal)
    await parental.check_giver(client_id, values)
    async with transaction():
        return await insert_version(client_id, values, principal.actor)


async def _staff_consent(
    principal: Principal, consent_id: UUID, *, full: bool
) -> tuple[policy.Decision, ConsentRow]:
    """A consent this worker may see (in full, with `full`) and act on, or NotFound (audited)."""
    rows = await rows_where(Consent.id == consent_id)
    decision = await policy.decide(principal, rows[0].client_id) if rows else None
    access = _access(decision, rows[0]) if rows and decision else None
    allowed = access == policy.FULL if full else access is not None
    if not rows or decision is None or not decision.may_act or not allowed:
        await audit.record(
            "consent.refused", principal.actor, subject_type="consent", subject_id=str(consent_id)
        )
        msg = "No such consent"
        raise NotFound(msg)
    return decision, rows[0]


async def consent_for_change(principal: Principal, consent_id: UUID) -> ConsentView:
    """A live consent this worker may change (their organisation obtained it)."""
    _, row = await _staff_consent(principal, consent_id, full=True)
    require_live(row)
    return to_view(row)


async def change_consent(principal: Principal, consent_id: UUID, form: ConsentForm) -> UUID:
    """The client changed their mind: a new version, and the old one ends, in one step."""
    _, row = await _staff_consent(principal, consent_id, full=True)
    require_live(row)
    values = await validation.validated(form, local_date(clock.now())) | obtained_by(principal)
    await parental.check_giver(row.client_id, values)
    async with transaction():
        return await insert_version(row.client_id, values, principal.actor, replaces=row)


def _seen_by(decision: policy.Decision, row: ConsentRow) -> ConsentView:
    """The consent as far as this reader may see it: in full, or their own part."""
    full = _access(decision, row) == policy.FULL
    return to_view(row, only_for=None if full else decision.organisation_id)


async def consent_for_withdrawal(principal: Principal, consent_id: UUID) -> ConsentView:
    """A live consent this worker may record the withdrawal of (as far as they may see it)."""
    decision, row = await _staff_consent(principal, consent_id, full=False)
    require_live(row)
    return _seen_by(decision, row)


async def withdraw_by_staff(principal: Principal, consent_id: UUID, form: StaffWithdrawal) -> UUID:
    """The client told staff they withdraw: it ends now, as far as this worker may end it.

    The organisation that recorded the consent ends all of it. An organisation it names ends
    sharing with itself only: a new version names everyone else, so one partner cannot stop
    the client's sharing with services it was never shown. Returns the client's id.
    """
    decision, row = await _staff_consent(principal, consent_id, full=False)
    require_live(row)
    errors: dict[str, str] = {}
    if form.how not in WITHDRAWAL_WAYS:
        errors["how"] = "Say how the client told you"
    if not form.confirm:
        errors["confirm"] = "Confirm that the client withdrew this consent"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    others = _others_named(decision, row)
    if _access(decision, row) == policy.FULL or not others:
        await end_consent(consent_id, policy.WITHDRAWN, principal.actor, form.how)
    else:
        await _withdraw_own_part(principal, decision, row, others, form.how)
    return row.client_id


def _others_named(decision: policy.Decision, row: ConsentRow) -> list[tuple[str, str]]:
    """The (id, name) of every organisation the consent names besides the reader's."""
    return [(str(org), name) for org, name in row.named() if org != decision.organisation_id]


async def _withdraw_own_part(
    principal: Principal,
    decision: policy.Decision,
    row: ConsentRow,
    others: list[tuple[str, str]],
    how: str,
) -> None:
    """A new version naming everyone but the reader's organisation; the old one is replaced."""
    values = row.given() | {
        "organisation_ids": [org for org, _ in others],
        "organisation_names": [name for _, name in others],
        "obtained_by_staff": None,
        "obtained_by_organisation": row.obtained_by_organisation_id,
    }
    async with transaction():
        new_id = await insert_version(row.client_id, values, principal.actor, replaces=row)
        await audit.record(
            "consent.withdrawn_part",
            principal.actor,
            subject_type="consent",
            subject_id=str(row.id),
            detail={
                "organisation_id": str(decision.organisation_id),
                "how": how,
                "new_version": str(new_id),
            },
        )


async def staff_receipt(principal: Principal, consent_id: UUID) -> Receipt:
    """The receipt to print for the client, for anyone who may record its withdrawal.

    Whoever may withdraw a consent may read what they are withdrawing: the organisation that
    obtained it sees all of it; an organisation it names sees its own part, as on the
    withdrawal page.
    """
    decision, row = await _staff_consent(principal, consent_id, full=False)
    names = Client.select(Client.full_name).where(Client.id == row.client_id)
    client_name = next(iter(await names.output(as_list=True)), "")
    await access_log.record_reads(
        principal,
        {row.client_id: [IDENTITY]},
        context="consent",
        break_glass_id=decision.break_glass_id,
    )
    return Receipt(consent=_seen_by(decision, row), client_name=client_name)
