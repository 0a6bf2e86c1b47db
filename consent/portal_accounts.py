"""Staff looking after a client's portal account: invitation codes, status, disable, reset.

Who may is the sharing policy's rule (`policy.check_portal_steward`); hub/ holds the account.
The client is told by e-mail, when one is on their record, whenever their account is disabled
or reset (the message names no one and holds no personal data).
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from consent import policy
from consent.schemas import ContactDetails
from consent.tables import ClientEntry
from consent.vocabulary import CONTACT
from hub import mail
from hub.accounts import clients as accounts
from hub.accounts.schemas import PortalAccountView, Principal


async def status_for(principal: Principal, decision: policy.Decision) -> PortalAccountView | None:
    """The account's state for the record page, or None when this person does not look after
    it (no audit: they are only reading a page they may read)."""
    if not await policy.is_portal_steward(principal, decision):
        return None
    return await accounts.portal_account(decision.client_id)


async def _tell_client(client_id: UUID, what: str) -> None:
    contacts = msgspec.convert(
        await ClientEntry.select(ClientEntry.data)
        .where((ClientEntry.client == client_id) & (ClientEntry.category == CONTACT))
        .order_by(ClientEntry.recorded_at, ascending=False)
        .output(load_json=True, as_list=True),
        list[ContactDetails],
    )
    email = next((contact.email for contact in contacts if contact.email), "")
    if email:
        await mail.queue_email(
            email,
            "Your Wraparound account",
            f"Your Wraparound account was {what} by the service looking after it.\n"
            "If you did not ask for this, contact the hub.\n",
        )


async def disable(principal: Principal, client_id: UUID, address: str = "") -> None:
    """Stop the client's portal account and end its sessions; the client is told."""
    await policy.check_portal_steward(principal, client_id)
    await accounts.disable_portal_account(principal, client_id, address)
    await _tell_client(client_id, "turned off")


async def reset(principal: Principal, client_id: UUID, address: str = "") -> None:
    """Remove the account and end its sessions, for a fresh start; the client is told."""
    await policy.check_portal_steward(principal, client_id)
    await accounts.reset_portal_account(principal, client_id, address)
    await _tell_client(client_id, "reset")
