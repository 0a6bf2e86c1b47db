"""The partner API's routes: thin, each parsing the request and calling the referral services."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter

from referrals import inbox, moves, thread, views
from referrals.api import reads
from referrals.api.auth import caller, requires_token, requires_write
from referrals.api.errors import PROBLEM_JSON
from referrals.api.schemas import MessageRequest, MoveRequest, Problem
from referrals.lifecycle import INBOX_GROUPS, STATUS_LABELS
from referrals.schemas import InboxPage, MessageView, ReferralView

AnyRequest = Request[Any, Any, Any]
Box = Literal["received", "sent"]
PROBLEMS = {
    400: "The request could not be read (for example, the body is not JSON)",
    401: "No token, or an unknown or revoked one",
    403: "The token is read-only, or the thread is closed to your organisation",
    404: "No such referral, or not your organisation's",
    409: "The move is not possible now, or someone else moved it first",
    422: "A field is missing or wrong; `errors` names each one",
}


def _responses(*codes: int) -> dict[int, ResponseSpec]:
    """Problem responses for the OpenAPI description."""
    return {
        code: ResponseSpec(
            data_container=Problem, description=PROBLEMS[code], media_type=PROBLEM_JSON
        )
        for code in (400, *codes)
    }


class ReferralApiController(Controller):
    """Your organisation's referrals: received (your inbox) and sent."""

    path = "/referrals"
    guards = [requires_token]
    tags = ["Referrals"]
    security = [{"bearerAuth": []}]

    @get(
        "/",
        name="api.referrals",
        summary="List referrals",
        responses=_responses(401, 422),
    )
    async def list_referrals(
        self,
        request: AnyRequest,
        box: Annotated[Box, Parameter(description="received (your inbox) or sent")] = "received",
        status: Annotated[
            str, Parameter(description="Only this status: " + ", ".join(STATUS_LABELS))
        ] = "",
        group: Annotated[
            str, Parameter(description="Only this inbox group: " + ", ".join(INBOX_GROUPS))
        ] = "",
        q: Annotated[
            str,
            Parameter(
                description="Words in the client's name (where you may see it), the service "
                "or the other organisation, or the start of the referral id",
                max_length=200,
            ),
        ] = "",
        overdue: Annotated[
            bool, Parameter(description="Only unanswered past their target")
        ] = False,
        page: Annotated[int, Parameter(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, Parameter(ge=1, le=inbox.MAX_PER_PAGE)] = 25,
    ) -> InboxPage:
        """One page of your organisation's referrals, newest first, with counts per inbox group.

        A client's name appears only where your organisation may see it now: never on a
        declined, cancelled or closed referral you received, nor on one whose consent changed.
        """
        return await inbox.inbox(
            caller(request),
            box=box,
            group=group,
            status=status,
            query=q,
            overdue_only=overdue,
            page=page,
            per_page=per_page,
        )

    @get(
        "/{referral_id:uuid}",
        name="api.referral",
        summary="Read a referral",
        responses=_responses(401, 404),
    )
    async def read_referral(self, request: AnyRequest, referral_id: FromPath[UUID]) -> ReferralView:
        """The referral as your organisation may see it.

        `access` is "full", "suspended" (the client's consent no longer covers you: status
        only) or "tombstone" (declined, cancelled or closed: status, dates and outcome only).
        Only the categories the client agreed to share with you are in `shared_entries`. The
        first read by the receiving organisation marks it opened. Every read is logged where
        the client can see it.
        """
        return await views.get_referral(caller(request), referral_id)

    @post(
        "/{referral_id:uuid}/moves",
        name="api.referral_move",
        summary="Move a referral",
        guards=[requires_write],
        status_code=200,
        responses=_responses(401, 403, 404, 409, 422),
    )
    async def move_referral(
        self, request: AnyRequest, referral_id: FromPath[UUID], data: JSONBody[MoveRequest]
    ) -> ReferralView:
        """Accept, decline, start, hold, resume, complete, fail or cancel; returns the referral now.

        The same rules as the pages: only the receiving organisation moves a referral past
        "requested", only the sender cancels, declining and failing need a reason, completing
        needs an outcome. Send the `version` you read to be told (409) if someone else moved it
        first. Unknown fields are refused (422).
        """
        principal = caller(request)
        await moves.move(principal, referral_id, data.to_form())
        return await views.get_referral(principal, referral_id)

    @get(
        "/{referral_id:uuid}/messages",
        name="api.referral_messages",
        summary="Read a referral's thread",
        responses=_responses(401, 403, 404),
    )
    async def list_messages(
        self, request: AnyRequest, referral_id: FromPath[UUID]
    ) -> list[MessageView]:
        """The thread, oldest first; 403 once the referral is closed or suspended for you."""
        return await reads.thread(caller(request), referral_id)

    @post(
        "/{referral_id:uuid}/messages",
        name="api.referral_message_post",
        summary="Post to a referral's thread",
        guards=[requires_write],
        responses=_responses(401, 403, 404, 409, 422),
    )
    async def post_message(
        self, request: AnyRequest, referral_id: FromPath[UUID], data: JSONBody[MessageRequest]
    ) -> MessageView:
        """Add a message; the other organisation is told. 409 once it is closed or suspended."""
        principal = caller(request)
        message_id = await thread.post_message(principal, referral_id, data.to_form())
        return await reads.message(principal, referral_id, message_id)
