"""Structs the partner API reads and writes, beyond the referral views the services return.

Request bodies refuse unknown fields: a caller cannot slip in `status` or an organisation.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from referrals.moves import MAX_NOTE
from referrals.schemas import MessageForm, MoveForm
from referrals.thread import MAX_MESSAGE


class MoveRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Move a referral: the same actions, reasons and outcomes as the pages."""

    action: Annotated[
        str,
        msgspec.Meta(
            description="accept, decline, start, hold, resume, complete or fail (the receiving "
            "organisation); cancel (the sender); the referral's `moves` lists those open now",
            examples=["accept"],
        ),
    ]
    version: Annotated[
        int,
        msgspec.Meta(
            ge=0,
            description="The version you last read: if someone moved it since, you get 409 "
            "and nothing changes. 0 (the default) skips the check.",
        ),
    ] = 0
    reason_code: Annotated[
        str,
        msgspec.Meta(
            description="Needed to decline, fail or cancel: one of the `reasons` the "
            "referral's `moves` list for that action",
            examples=["no_capacity"],
        ),
    ] = ""
    reason_note: Annotated[
        str,
        msgspec.Meta(max_length=MAX_NOTE, description='Needed when reason_code is "other"'),
    ] = ""
    outcome_code: Annotated[
        str,
        msgspec.Meta(
            description="Needed to complete: need_met, partly_met, support_ongoing, "
            "signposted_on or other",
            examples=["need_met"],
        ),
    ] = ""
    outcome_note: Annotated[
        str,
        msgspec.Meta(max_length=MAX_NOTE, description='Needed when outcome_code is "other"'),
    ] = ""

    def to_form(self) -> MoveForm:
        """The service's form."""
        return MoveForm(**msgspec.structs.asdict(self))


class MessageRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A message for the referral's thread."""

    body: Annotated[
        str,
        msgspec.Meta(
            max_length=MAX_MESSAGE,
            description="The message: the other organisation reads it on the referral",
        ),
    ]

    def to_form(self) -> MessageForm:
        """The service's form."""
        return MessageForm(body=self.body)


class ApiIndex(msgspec.Struct, frozen=True, kw_only=True):
    """Where the API's description lives."""

    name: str
    version: str
    docs: str
    openapi: str


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str
    title: Annotated[str, msgspec.Meta(description="What kind of problem, in words")]
    status: Annotated[int, msgspec.Meta(description="The HTTP status code")]
    detail: Annotated[str, msgspec.Meta(description="What went wrong and what to do")]
    errors: Annotated[
        dict[str, str] | None,
        msgspec.Meta(description="422 only: field name -> what is wrong with it"),
    ] = None
