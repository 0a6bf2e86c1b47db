"""Review pages: record a review with the ratings grid, list the reviews, and the next review
as a calendar invite (download, or e-mail to the lead)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from consent.controllers.common import submitted
from hub.accounts.guards import requires_signed_in, requires_staff
from hub.errors import Invalid
from hub.web.responses import see_other
from plans import calendar, reviews
from plans.area_words import words_field
from plans.content import today
from plans.controllers import AnyRequest, read, render, render_errors
from plans.reviews import ReviewForm, ReviewStart, client_field, worker_field
from plans.vocabulary import REVIEW_DEFAULT

FORM = "plans/review_form.html"
LIST = "plans/reviews.html"


def _first_values(start: ReviewStart) -> dict[str, Any]:
    held = today()
    values: dict[str, Any] = {
        "held_on-day": held.day,
        "held_on-month": held.month,
        "held_on-year": held.year,
    }
    values |= {words_field(area): words for area, words in start.area_words.items()}
    return values


def _form_page(start: ReviewStart, values: dict[str, Any], error: Invalid | None) -> Template:
    context: dict[str, Any] = {
        "start": start,
        "values": values,
        "client_field": client_field,
        "worker_field": worker_field,
        "words_field": words_field,
        "default_weeks": REVIEW_DEFAULT.days // 7,
    }
    if error is not None:
        return render_errors(FORM, error, **context)
    return render(FORM, **context)


class ReviewController(Controller):
    """The lead records reviews; whoever sees the whole plan reads them and the next date."""

    path = "/plans"

    @get("/{client_id:uuid}/reviews/new", name="plans.review_new", guards=[requires_staff])
    async def new_review(self, request: AnyRequest, client_id: FromPath[UUID]) -> Template:
        """The review form, with today's date filled in (the lead only)."""
        start = await reviews.start_review(request.user, client_id)
        return _form_page(start, _first_values(start), None)

    @post("/{client_id:uuid}/reviews/new", name="plans.review_create", guards=[requires_staff])
    async def create_review(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """Record the review and go back to the plan; or the form again with what is wrong."""
        try:
            form = await read(request, ReviewForm)
            await reviews.record_review(request.user, client_id, form)
        except Invalid as exc:
            start = await reviews.start_review(request.user, client_id)
            return _form_page(start, await submitted(request), exc)
        return see_other(f"/plans/{client_id}?done=review")

    @get("/{client_id:uuid}/reviews", name="plans.reviews", guards=[requires_staff])
    async def list_reviews(
        self, request: AnyRequest, client_id: FromPath[UUID], done: FromQuery[str] = ""
    ) -> Template:
        """Every review of the plan, newest first."""
        found = await reviews.plan_reviews(request.user, client_id)
        return render(LIST, page=found, client_id=client_id, done=done)

    @get("/{client_id:uuid}/review.ics", name="plans.review_ics", guards=[requires_signed_in])
    async def review_ics(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[str]:
        """The next review as a calendar file to open or save."""
        invite = await calendar.review_invite(request.user, client_id)
        return Response(
            invite.text,
            media_type=calendar.CONTENT_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{invite.filename}"'},
        )

    @post("/{client_id:uuid}/review-invite", name="plans.review_invite", guards=[requires_staff])
    async def email_invite(self, request: AnyRequest, client_id: FromPath[UUID]) -> Response[Any]:
        """E-mail the next review's invite to the lead (themselves)."""
        await calendar.email_invite(request.user, client_id)
        return see_other(f"/plans/{client_id}/reviews?done=invite")
