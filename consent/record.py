"""The client record: registering a client, reading and listing through the policy, entries."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from uuid import UUID

import msgspec

from consent import access_log, consents, duplicates, policy, portal_accounts
from consent.involvement import start_involvement
from consent.rows import ContactEntryRow, EntryRow
from consent.schemas import (
    ENTRY_KINDS,
    CategorySection,
    ClientIdentity,
    ClientListItem,
    ClientRecord,
    ClientRegistration,
    ContactDetails,
    DuplicateCandidate,
    EntryCreate,
    EntryView,
    IdentityDetails,
    LanguageDetails,
    NoteDetails,
)
from consent.tables import ClientEntry
from consent.vocabulary import (
    CATEGORIES,
    CONTACT,
    CONTACT_WAYS,
    IDENTITY,
    NEEDS,
    SENSITIVE,
    category_label,
)
from hub import audit, clock
from hub.accounts import clients as accounts
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Invalid, Refused
from hub.tables import Client, ClientAccount

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
LIMITS = {
    "full_name": 200,
    "preferred_name": 200,
    "pronouns": 50,
    "phone": 30,
    "email": 254,
    "address": 500,
    "safe_times": 300,
    "language": 100,
}
NEEDS_FOR_WAY = {"phone": "phone", "text": "phone", "email": "email", "letter": "address"}


class PossibleDuplicates(Refused):
    """Records the worker may see look like the same person: show them before registering."""

    title = "This person may already have a record"

    def __init__(self, candidates: list[DuplicateCandidate]) -> None:
        super().__init__("This person may already have a record")
        self.candidates = candidates


def _registration_errors(form: ClientRegistration) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.full_name.strip():
        errors["full_name"] = "Enter the client's full name"
    for field, limit in LIMITS.items():
        if field not in errors and len(getattr(form, field)) > limit:
            errors[field] = f"Keep this to {limit} characters or fewer"
    if form.date_of_birth and form.date_of_birth > clock.now().date():
        errors["date_of_birth"] = "Date of birth must be in the past"
    if form.email.strip() and not EMAIL.match(form.email.strip()):
        errors["email"] = "Enter an e-mail address in the correct format, like name@example.org"
    if form.phone.strip() and not PHONE.match(form.phone.strip()):
        errors["phone"] = "Enter a phone number, like 01382 123456 or +44 7700 900123"
    if form.preferred_contact and form.preferred_contact not in CONTACT_WAYS:
        errors["preferred_contact"] = "Choose one of the ways to contact them"
    needed = NEEDS_FOR_WAY.get(form.preferred_contact)
    if needed and not getattr(form, needed).strip() and needed not in errors:
        way = CONTACT_WAYS[form.preferred_contact].lower()
        errors[needed] = f"Enter their {needed.replace('_', ' ')}, as {way} is how they prefer"
    return errors


def _registration_entries(form: ClientRegistration) -> list[tuple[str, msgspec.Struct]]:
    contact = ContactDetails(
        phone=form.phone.strip(),
        email=form.email.strip(),
        address=form.address.strip(),
        preferred_contact=form.preferred_contact,
        safe_times=form.safe_times.strip(),
    )
    entries: list[tuple[str, msgspec.Struct]] = []
    if form.pronouns.strip():
        entries.append((IDENTITY, IdentityDetails(pronouns=form.pronouns.strip())))
    if contact.rows():
        entries.append((CONTACT, contact))
    if form.language.strip() or form.interpreter_needed:
        language = LanguageDetails(
            language=form.language.strip(), interpreter_needed=form.interpreter_needed
        )
        entries.append((NEEDS, language))
    return entries


def _kind(details: msgspec.Struct) -> str:
    return next(kind for kind, struct in ENTRY_KINDS.items() if isinstance(details, struct))


async def write_entry(
    client_id: UUID,
    category: str,
    details: msgspec.Struct,
    organisation_id: UUID | None,
    staff_id: UUID | None,
) -> None:
    """Add one entry (call inside the transaction of the change that records it)."""
    await ClientEntry.insert(
        ClientEntry(
            client=client_id,
            category=category,
            kind=_kind(details),
            data=msgspec.json.encode(details).decode(),
            recorded_by_organisation=organisation_id,
            recorded_by_staff=staff_id,
            recorded_at=clock.now(),
        )
    )


async def register_client(principal: Principal, form: ClientRegistration) -> UUID:
    """Register a client for the worker's organisation; returns the new client's id.

    Raises:
        Invalid: the form has mistakes (nothing is saved).
        PossibleDuplicates: records this worker may see look like the same person, and the
            form does not acknowledge every one of them.
    """
    reader = policy.reader_of(principal)  # staff only
    errors = _registration_errors(form)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    candidates = await duplicates.possible_duplicates(
        principal, form.full_name, form.preferred_name, form.date_of_birth
    )
    acknowledged = set(form.acknowledged_duplicates.split())
    if any(str(candidate.id) not in acknowledged for candidate in candidates):
        raise PossibleDuplicates(candidates)
    client = Client(
        full_name=form.full_name.strip(),
        preferred_name=form.preferred_name.strip(),
        date_of_birth=form.date_of_birth,
        registered_by=reader.organisation_id,
        created_at=clock.now(),
    )
    async with transaction():
        await Client.insert(client)
        await start_involvement(client.id, reader.organisation_id, "registered", principal)
        for category, details in _registration_entries(form):
            await write_entry(client.id, category, details, reader.organisation_id, reader.staff_id)
        await audit.record(
            "client.registered",
            principal.actor,
            subject_type="client",
            subject_id=str(client.id),
            detail={"acknowledged_duplicates": len(candidates)},
        )
    return UUID(str(client.id))


async def identities(client_ids: Sequence[UUID]) -> dict[UUID, ClientIdentity]:
    """Who each client is, with no policy check: call only for clients the policy lets you see."""
    if not client_ids:
        return {}
    rows = msgspec.convert(
        await Client.select(
            Client.id, Client.full_name, Client.preferred_name, Client.date_of_birth
        ).where(Client.id.is_in(list(client_ids))),
        list[ClientIdentity],
    )
    accounts = ClientAccount.select(ClientAccount.client).where(
        ClientAccount.client.is_in(list(client_ids))
    )
    with_accounts = set(await accounts.output(as_list=True))
    return {
        row.id: msgspec.structs.replace(row, has_portal_account=row.id in with_accounts)
        for row in rows
    }


async def identity_for(
    principal: Principal, client_id: UUID, *, act: bool = False, context: str = "record"
) -> tuple[policy.Decision, ClientIdentity | None]:
    """The decision for a page about the client, and their identity if it may be shown.

    Raises NotFound (audited) when nothing is shared, or with `act` when the reader may not
    act for the client. A shown identity goes to the access log.
    """
    decision = await policy.check(principal, client_id, act=act)
    if not decision.identity_visible:
        return decision, None
    identity = (await identities([client_id]))[client_id]
    await access_log.record_reads(
        principal,
        {client_id: [IDENTITY]},
        context=context,
        break_glass_id=decision.break_glass_id,
    )
    return decision, identity


async def list_clients(principal: Principal, query: str = "") -> list[ClientListItem]:
    """Clients the worker's organisation may see, by name; `query` searches shown names only.

    A name the policy hides is never matched, so a search cannot confirm who exists.
    Break-glass plays no part: an override opens one record, never a list.
    """
    decisions = await policy.visible_clients(principal)
    known = await identities([d.client_id for d in decisions if d.identity_visible])
    wanted = duplicates.normalise_name(query)
    items = []
    for decision in decisions:
        identity = known.get(decision.client_id)
        if wanted:
            names = f"{identity.full_name} {identity.preferred_name}" if identity else ""
            if wanted not in duplicates.normalise_name(names):
                continue
        shared = [category_label(code) for code in CATEGORIES if code in decision.consented]
        items.append(ClientListItem(id=decision.client_id, identity=identity, shared=shared))
    items.sort(
        key=lambda item: (item.identity is None, item.identity.full_name if item.identity else "")
    )
    await access_log.record_reads(
        principal,
        {item.id: [IDENTITY] for item in items if item.identity},
        context="search" if wanted else "list",
    )
    return items


async def _entries(decision: policy.Decision) -> list[EntryView]:
    rows = msgspec.convert(
        await ClientEntry.select(
            ClientEntry.id,
            ClientEntry.category,
            ClientEntry.kind,
            ClientEntry.data,
            ClientEntry.recorded_by_organisation.as_alias("organisation_id"),
            ClientEntry.recorded_by_organisation.name.as_alias("organisation_name"),
            ClientEntry.recorded_at,
        )
        .where(ClientEntry.client == decision.client_id)
        .order_by(ClientEntry.recorded_at, ascending=False)
        .output(load_json=True),
        list[EntryRow],
    )
    views = []
    for row in rows:
        if not decision.may_read(row.category, row.organisation_id):
            continue
        details = msgspec.convert(row.data, ENTRY_KINDS.get(row.kind, NoteDetails))
        views.append(
            EntryView(
                id=row.id,
                category=row.category,
                kind=row.kind,
                rows=details.rows(),
                recorded_by=row.organisation_name,
                recorded_at=row.recorded_at,
                own=row.organisation_id == decision.organisation_id,
            )
        )
    return views


async def shared_entries(
    decision: policy.Decision, categories: Iterable[str] | None = None
) -> list[EntryView]:
    """The entries this decision lets its reader see, optionally only in `categories`.

    For other features' pages (a referral shows only what was chosen and consented).
    """
    wanted = None if categories is None else set(categories)
    return [e for e in await _entries(decision) if wanted is None or e.category in wanted]


async def contact_preferences(decision: policy.Decision) -> ContactDetails | None:
    """How and when the client asked to be contacted (their newest contact entry the decision
    lets its reader see), or None when none is recorded or shared."""
    rows = msgspec.convert(
        await ClientEntry.select(
            ClientEntry.category,
            ClientEntry.data,
            ClientEntry.recorded_by_organisation.as_alias("organisation_id"),
        )
        .where((ClientEntry.client == decision.client_id) & (ClientEntry.kind == "contact"))
        .order_by(ClientEntry.recorded_at, ascending=False)
        .output(load_json=True),
        list[ContactEntryRow],
    )
    for row in rows:
        if decision.may_read(row.category, row.organisation_id):
            details = msgspec.convert(row.data, ContactDetails)
            if details.preferred_contact or details.safe_times:
                return details
    return None


async def get_record(principal: Principal, client_id: UUID) -> ClientRecord:
    """A client's record as this worker may see it, category by category, and its consents.

    Raises NotFound (audited) when nothing is shared. What is shown goes to the access log,
    flagged when it is seen under break-glass.
    """
    decision = await policy.check(principal, client_id)
    identity = (await identities([client_id]))[client_id] if decision.identity_visible else None
    entries = await _entries(decision)
    sections = [
        CategorySection(
            code=code,
            label=label,
            sensitive=code in SENSITIVE,
            shared=code not in decision.withheld,
            entries=[entry for entry in entries if entry.category == code],
            reason=decision.withheld.get(code, ""),
        )
        for code, label in CATEGORIES.items()
    ]
    shown = {entry.category for entry in entries} | ({IDENTITY} if identity else set())
    await access_log.record_reads(
        principal,
        {client_id: sorted(shown)},
        context="record",
        break_glass_id=decision.break_glass_id,
    )
    return ClientRecord(
        id=client_id,
        identity=identity,
        sections=sections,
        consents=await consents.for_decision(decision),
        may_act=decision.may_act,
        break_glass_id=decision.break_glass_id,
        break_glass_until=decision.break_glass_until,
        portal=await portal_accounts.status_for(principal, decision),
    )


async def add_entry(principal: Principal, client_id: UUID, form: EntryCreate) -> None:
    """Record a note in one category, for an organisation that may act for the client."""
    await policy.check(principal, client_id, act=True)
    errors: dict[str, str] = {}
    if form.category not in CATEGORIES:
        errors["category"] = "Choose the kind of information this is"
    if not form.text.strip():
        errors["text"] = "Enter the information to record"
    elif len(form.text) > 5000:
        errors["text"] = "Keep this to 5,000 characters or fewer"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    async with transaction():
        note = NoteDetails(text=form.text.strip())
        await write_entry(client_id, form.category, note, principal.organisation_id, principal.id)
        await audit.record(
            "client_entry.recorded",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"category": form.category},
        )


async def create_invitation(principal: Principal, client_id: UUID) -> str:
    """A portal invitation code, for an organisation that looks after the client's account."""
    await policy.check_portal_steward(principal, client_id)
    return await accounts.issue_invitation(principal, client_id)
