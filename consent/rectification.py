"""Rectification: a client asks for an entry to be corrected; the recording organisation
corrects it (the earlier wording kept as a version) or declines with a reason.

A client only ever reaches their own entries; staff only their own organisation's requests,
and only for clients the sharing policy lets them see. Every step is audited, by ids.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, get_type_hints
from uuid import UUID

import msgspec

from consent import access_log, policy
from consent.record import EMAIL, PHONE
from consent.rows import CorrectableEntryRow, CorrectionRow, EntryVersionRow
from consent.schemas import ENTRY_KINDS, ClientRecord, EntryVersionView, NoteDetails
from consent.tables import ClientEntry, CorrectionRequest, EntryVersion
from consent.vocabulary import CONTACT_WAYS, category_label
from hub import audit, clock, notifications
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Conflict, Invalid, NotFound
from hub.tables import Organisation, Staff

OPEN, CORRECTED, DECLINED = "open", "corrected", "declined"
STATUS_WORDS = {OPEN: "Waiting for an answer", CORRECTED: "Corrected", DECLINED: "Not changed"}
LIMIT = 2000


class CorrectionAsk(msgspec.Struct, kw_only=True):
    """The client's form: what is wrong, and what it should say."""

    what_is_wrong: str = ""
    should_say: str = ""


class EntryLine(msgspec.Struct, frozen=True, kw_only=True):
    """An entry as the client (or the answering worker) reads it."""

    id: UUID
    category: str
    rows: list[tuple[str, str]]
    recorded_by: str
    recorded_at: datetime
    open_request: bool = False


class CorrectionView(msgspec.Struct, frozen=True, kw_only=True):
    """A correction request with its entry, as a page shows it."""

    id: UUID
    client_id: UUID
    entry: EntryLine
    what_is_wrong: str
    should_say: str
    status: str
    status_words: str
    asked_at: datetime
    decided_at: datetime | None
    reason: str
    fields: list[tuple[str, str, Any]]
    """The entry's fields to correct: name, label, current value."""


class OwnRequestLine(msgspec.Struct, frozen=True, kw_only=True):
    """One of the client's requests and its answer, as their list shows it."""

    id: UUID
    category: str
    organisation: str
    what_is_wrong: str
    status: str
    asked_at: datetime
    decided_at: datetime | None
    reason: str
    words: str = ""


class QueueLine(msgspec.Struct, frozen=True, kw_only=True):
    """A request waiting in (or answered from) an organisation's queue."""

    id: UUID
    client: UUID
    category: str
    asked_at: datetime
    status: str


def _rows(kind: str, data: Any) -> list[tuple[str, str]]:
    details = msgspec.convert(data, ENTRY_KINDS.get(kind, NoteDetails))
    return details.rows()


def _client(principal: Principal) -> UUID:
    if not roles.is_client(principal):
        msg = "No such page"
        raise NotFound(msg)
    return principal.id


async def _entry_rows(where: Any) -> list[CorrectableEntryRow]:
    return msgspec.convert(
        await ClientEntry.select(
            ClientEntry.id,
            ClientEntry.client,
            ClientEntry.category,
            ClientEntry.kind,
            ClientEntry.data,
            ClientEntry.recorded_at,
            ClientEntry.recorded_by_organisation.as_alias("organisation_id"),
            ClientEntry.recorded_by_organisation.name.as_alias("organisation_name"),
        )
        .where(where)
        .order_by(ClientEntry.recorded_at, ascending=False)
        .output(load_json=True),
        list[CorrectableEntryRow],
    )


def _line(row: CorrectableEntryRow, open_ids: set[UUID] | None = None) -> EntryLine:
    return EntryLine(
        id=row.id,
        category=category_label(row.category),
        rows=_rows(row.kind, row.data),
        recorded_by=row.organisation_name,
        recorded_at=row.recorded_at,
        open_request=row.id in (open_ids or set()),
    )


async def own_entries(principal: Principal) -> list[EntryLine]:
    """Everything recorded about the signed-in client, newest first."""
    client_id = _client(principal)
    waiting = CorrectionRequest.select(CorrectionRequest.entry).where(
        (CorrectionRequest.client == client_id) & (CorrectionRequest.status == OPEN)
    )
    open_ids = set(await waiting.output(as_list=True))
    return [_line(row, open_ids) for row in await _entry_rows(ClientEntry.client == client_id)]


async def own_entry(principal: Principal, entry_id: UUID) -> EntryLine:
    """One of the client's own entries; anyone else's looks like one that does not exist."""
    client_id = _client(principal)
    rows = await _entry_rows((ClientEntry.id == entry_id) & (ClientEntry.client == client_id))
    if not rows:
        msg = "No such entry"
        raise NotFound(msg)
    return _line(rows[0])


async def own_requests(principal: Principal) -> list[OwnRequestLine]:
    """The client's correction requests and their answers, newest first."""
    rows = msgspec.convert(
        await CorrectionRequest.select(
            CorrectionRequest.id,
            CorrectionRequest.entry.category.as_alias("category"),
            CorrectionRequest.organisation.name.as_alias("organisation"),
            CorrectionRequest.what_is_wrong,
            CorrectionRequest.status,
            CorrectionRequest.asked_at,
            CorrectionRequest.decided_at,
            CorrectionRequest.reason,
        )
        .where(CorrectionRequest.client == _client(principal))
        .order_by(CorrectionRequest.asked_at, ascending=False),
        list[OwnRequestLine],
    )
    return [
        msgspec.structs.replace(
            row, category=category_label(row.category), words=STATUS_WORDS[row.status]
        )
        for row in rows
    ]


def _ask_errors(form: CorrectionAsk) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, empty in (
        ("what_is_wrong", "Say what is wrong in this entry"),
        ("should_say", "Say what it should say instead"),
    ):
        value = getattr(form, name).strip()
        if not value:
            errors[name] = empty
        elif len(value) > LIMIT:
            errors[name] = "Keep this to 2,000 characters or fewer"
    return errors


async def _answerers(organisation_id: UUID) -> list[UUID]:
    """Who hears of a request: the organisation's admins and data-protection lead, or else
    every active member of its staff."""
    admins = Staff.select(Staff.id).where(
        (Staff.organisation == organisation_id)
        & (Staff.active == True)  # noqa: E712
        & (Staff.is_org_admin == True)  # noqa: E712
    )
    found = set(await admins.output(as_list=True))
    leads = Organisation.select(Organisation.data_protection_lead_id).where(
        Organisation.id == organisation_id
    )
    found |= {lead for lead in await leads.output(as_list=True) if lead}
    return sorted(found, key=str) or await notifications.active_staff_of(organisation_id)


async def ask(principal: Principal, entry_id: UUID, form: CorrectionAsk) -> UUID:
    """The client asks for one of their entries to be corrected; its recorder is told.

    Raises:
        NotFound: not their entry.
        Invalid: a field is empty or too long (nothing is saved).
        Conflict: a request about this entry is already waiting.
    """
    client_id = _client(principal)
    errors = _ask_errors(form)
    rows = await _entry_rows((ClientEntry.id == entry_id) & (ClientEntry.client == client_id))
    if not rows:
        msg = "No such entry"
        raise NotFound(msg)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    organisation_id = rows[0].organisation_id
    async with transaction():
        waiting = await CorrectionRequest.exists().where(
            (CorrectionRequest.entry == entry_id) & (CorrectionRequest.status == OPEN)
        )
        if waiting:
            msg = "You have already asked for this entry to be corrected"
            raise Conflict(msg)
        request = CorrectionRequest(
            id=uuid.uuid4(),
            client=client_id,
            entry=entry_id,
            organisation=organisation_id,
            what_is_wrong=form.what_is_wrong.strip(),
            should_say=form.should_say.strip(),
            status=OPEN,
            asked_at=clock.now(),
        )
        await CorrectionRequest.insert(request)
        await audit.record(
            "correction.asked", principal.actor, subject_type="correction",
            subject_id=str(request.id), detail={"entry": str(entry_id)},
        )  # fmt: skip
        await notifications.notify(
            await _answerers(organisation_id),
            "A client asked for an entry to be corrected",
            link=f"/corrections/{request.id}",
            kind="correction",
        )
    return UUID(str(request.id))


async def queue(principal: Principal, status: str = OPEN) -> list[QueueLine]:
    """The worker's organisation's correction requests in one status, oldest first."""
    organisation_id = roles.staff_organisation(principal)
    if organisation_id is None:
        msg = "No such page"
        raise NotFound(msg)
    rows = msgspec.convert(
        await CorrectionRequest.select(
            CorrectionRequest.id,
            CorrectionRequest.client,
            CorrectionRequest.entry.category.as_alias("category"),
            CorrectionRequest.asked_at,
            CorrectionRequest.status,
        )
        .where(
            (CorrectionRequest.organisation == organisation_id)
            & (CorrectionRequest.status == status)
        )
        .order_by(CorrectionRequest.asked_at),
        list[QueueLine],
    )
    if not rows:
        return []
    among = list({row.client for row in rows})
    visible = {d.client_id for d in await policy.visible_clients(principal, among=among)}
    return [  # the sharing policy decides who is listed, here as on every page
        msgspec.structs.replace(row, category=category_label(row.category))
        for row in rows
        if row.client in visible
    ]


def _fields(kind: str, data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    struct = ENTRY_KINDS.get(kind, NoteDetails)
    labels = {"text": "Note", "safe_times": "Safe times to contact", "preferred_contact":
              "Preferred way to contact", "interpreter_needed": "Interpreter needed"}  # fmt: skip
    return [
        (name, labels.get(name, name.replace("_", " ").capitalize()), data.get(name, ""))
        for name in struct.__struct_fields__
    ]


async def _request(principal: Principal, request_id: UUID) -> CorrectionRow:
    """A request of the worker's own organisation about a client the policy lets them see."""
    organisation_id = roles.staff_organisation(principal)
    found = await CorrectionRequest.select().where(CorrectionRequest.id == request_id).first()
    row = None if found is None else msgspec.convert(found, CorrectionRow)
    if row is None or organisation_id is None or row.organisation != organisation_id:
        msg = "No such correction request"
        raise NotFound(msg)
    await policy.check(principal, row.client)
    return row


async def detail(principal: Principal, request_id: UUID) -> CorrectionView:
    """A request with the entry as it reads now (the worker's organisation recorded it)."""
    row = await _request(principal, request_id)
    [entry] = await _entry_rows(ClientEntry.id == row.entry)
    await access_log.record_reads(principal, {row.client: [entry.category]}, context="record")
    return CorrectionView(
        id=row.id,
        client_id=row.client,
        entry=_line(entry),
        what_is_wrong=row.what_is_wrong,
        should_say=row.should_say,
        status=row.status,
        status_words=STATUS_WORDS[row.status],
        asked_at=row.asked_at,
        decided_at=row.decided_at,
        reason=row.reason,
        fields=_fields(entry.kind, entry.data),
    )


def corrected_details(kind: str, values: dict[str, str]) -> msgspec.Struct:
    """The entry's new wording from the worker's form.

    Raises:
        Invalid: nothing left in it, or a field too long.
    """
    struct = ENTRY_KINDS.get(kind, NoteDetails)
    hints = get_type_hints(struct)
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in struct.__struct_fields__:
        if hints[name] is bool:
            data[name] = values.get(name, "").lower() in {"true", "on", "yes", "1"}
            continue
        text = values.get(name, "").strip()
        if len(text) > 5000:
            errors[name] = "Keep this to 5,000 characters or fewer"
        data[name] = text
    if not any(value for value in data.values() if isinstance(value, str)):
        first = next(iter(struct.__struct_fields__))
        errors[first] = "Enter what the entry should say"
    errors = _contact_errors(data) | errors
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    return msgspec.convert(data, struct)


def _contact_errors(data: dict[str, Any]) -> dict[str, str]:
    """A corrected contact entry is held to the same checks as one first recorded."""
    errors: dict[str, str] = {}
    if data.get("email") and not EMAIL.match(data["email"]):
        errors["email"] = "Enter an e-mail address in the correct format, like name@example.org"
    if data.get("phone") and not PHONE.match(data["phone"]):
        errors["phone"] = "Enter a phone number, like 01382 123456 or +44 7700 900123"
    if data.get("preferred_contact") and data["preferred_contact"] not in CONTACT_WAYS:
        ways = ", ".join(CONTACT_WAYS)
        errors["preferred_contact"] = f"Preferred way to contact must be one of: {ways}"
    return errors


async def _decide(principal: Principal, request_id: UUID) -> CorrectionRow:
    row = await _request(principal, request_id)
    status_now = CorrectionRequest.select(CorrectionRequest.status).where(
        CorrectionRequest.id == request_id
    )
    if await status_now.output(as_list=True) != [OPEN]:
        msg = "This request has already been answered"
        raise Conflict(msg)
    return row


async def correct(principal: Principal, request_id: UUID, values: dict[str, str]) -> None:
    """Change the entry; its earlier wording is kept as a version; audited, one transaction."""
    row = await _request(principal, request_id)
    [entry] = await _entry_rows(ClientEntry.id == row.entry)
    details = corrected_details(entry.kind, values)
    now = clock.now()
    async with transaction():
        await _decide(principal, request_id)
        replaced = (
            await EntryVersion.select(EntryVersion.replaced_at)
            .where(EntryVersion.entry == row.entry)
            .order_by(EntryVersion.replaced_at, ascending=False)
            .limit(1)
            .output(as_list=True)
        )
        await EntryVersion.insert(
            EntryVersion(
                id=uuid.uuid4(),
                entry=row.entry,
                kind=entry.kind,
                data=msgspec.json.encode(entry.data).decode(),
                recorded_at=replaced[0] if replaced else entry.recorded_at,
                replaced_at=now,
                replaced_by_staff=principal.id,
                correction=request_id,
            )
        )
        await ClientEntry.update({ClientEntry.data: msgspec.json.encode(details).decode()}).where(
            ClientEntry.id == row.entry
        )
        await _answer(principal, request_id, CORRECTED, "", now)
        await audit.record(
            "client_entry.corrected", principal.actor, subject_type="client",
            subject_id=str(row.client), detail={"correction": str(request_id)},
        )  # fmt: skip


async def decline(principal: Principal, request_id: UUID, reason: str) -> None:
    """Leave the entry as it is, saying why; audited."""
    if not reason.strip():
        msg = "Say why the entry is not changed"
        raise Invalid(msg, {"reason": msg})
    if len(reason) > LIMIT:
        msg = "Keep this to 2,000 characters or fewer"
        raise Invalid(msg, {"reason": msg})
    async with transaction():
        row = await _decide(principal, request_id)
        await _answer(principal, request_id, DECLINED, reason.strip(), clock.now())
        await audit.record(
            "correction.declined", principal.actor, subject_type="client",
            subject_id=str(row.client), detail={"correction": str(request_id)},
        )  # fmt: skip


async def _answer(
    principal: Principal, request_id: UUID, status: str, reason: str, now: datetime
) -> None:
    await CorrectionRequest.update(
        {
            CorrectionRequest.status: status,
            CorrectionRequest.reason: reason,
            CorrectionRequest.decided_at: now,
            CorrectionRequest.decided_by: principal.id,
        }
    ).where(CorrectionRequest.id == request_id)


async def history(entry_ids: list[UUID]) -> dict[UUID, list[EntryVersionView]]:
    """Earlier wordings of these entries, oldest first (call only for entries already shown)."""
    if not entry_ids:
        return {}
    rows = msgspec.convert(
        await EntryVersion.select()
        .where(EntryVersion.entry.is_in(entry_ids))
        .order_by(EntryVersion.replaced_at)
        .output(load_json=True),
        list[EntryVersionRow],
    )
    found: dict[UUID, list[EntryVersionView]] = {}
    for row in rows:
        found.setdefault(row.entry, []).append(
            EntryVersionView(
                rows=_rows(row.kind, row.data),
                recorded_at=row.recorded_at,
                replaced_at=row.replaced_at,
            )
        )
    return found


async def earlier_wordings(record: ClientRecord) -> dict[UUID, list[EntryVersionView]]:
    """Earlier wordings of the entries a record page already shows (the policy chose them)."""
    return await history([entry.id for section in record.sections for entry in section.entries])
