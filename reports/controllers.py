"""Report pages: the month's figures with charts and tables, CSV, print summary, publishing;
and the public feedback form behind each link and QR code."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
import segno
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from directory.sessions.services import get_session, today
from hub.accounts import roles
from hub.accounts.guards import requires_staff
from hub.errors import Forbidden, Invalid
from hub.settings import get_settings
from hub.web.forms import read_form
from hub.web.responses import form_error_page, page, see_other
from reports import access, feedback, periods, publishing
from reports.build import build_report
from reports.charts import bar_chart
from reports.csv_export import report_csv
from reports.schemas import Report, Scope

AnyRequest = Request[Any, Any, Any]
NO_STORE = {"Cache-Control": "no-store"}


class PublishForm(msgspec.Struct, kw_only=True):
    """Form: publish this month."""

    month: str = ""


def _asked(request: AnyRequest) -> dict[str, str]:
    query = request.query_params
    return {name: str(query.get(name, ""))[:20] for name in ("month", "from", "to")}


def _period(values: dict[str, str]) -> periods.Period:
    return periods.asked(values["month"], values["from"], values["to"], today())


async def _report(request: AnyRequest) -> tuple[Scope, periods.Period, Report]:
    """The scope (checked first), period and report a request asks for."""
    scope = await access.scope_for(request.user, str(request.query_params.get("scope", "")))
    period = _period(_asked(request))
    return scope, period, await build_report(scope, period, today())


class ReportController(Controller):
    """Monthly monitoring for the hub's managers and partners' admins."""

    path = "/reports"
    guards = [requires_staff]

    @get("/", name="reports.show")
    async def show(self, request: AnyRequest) -> Template:
        """The report for a month or range, each figure a chart with its numbers beside it."""
        values = _asked(request)
        try:
            scope, period, report = await _report(request)
        except Invalid as exc:
            chosen = await access.scope_for(
                request.user, str(request.query_params.get("scope", ""))
            )
            return form_error_page(
                "reports/report.html", exc, report=None, values=values, chosen=chosen
            )
        return page(
            "reports/report.html",
            report=report,
            period=period,
            chart=bar_chart,
            values=values,
            chosen=scope,
            scope_query="" if scope.hub_wide else f"&scope={scope.organisation_id}",
            is_manager=roles.is_hub_manager(request.user),
            scope_choices=await access.choices_for(request.user),
            published=scope.organisation_id is not None
            and await publishing.is_published(scope.organisation_id, period),
            just_published=request.query_params.get("published") == "1",
        )

    @get("/report.csv", name="reports.csv")
    async def csv(self, request: AnyRequest) -> Response[str]:
        """The report (or one figure of it) as CSV: counts only, small numbers withheld."""
        _, period, report = await _report(request)
        figure = str(request.query_params.get("figure", ""))[:60]
        name = f"wraparound-{figure or 'report'}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.csv"
        return Response(
            report_csv(report, figure),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
        )

    @get("/summary", name="reports.summary")
    async def summary(self, request: AnyRequest) -> Template:
        """One printable page for a commissioner: the month's headline tables."""
        scope, period, report = await _report(request)
        return page("reports/summary.html", report=report, period=period, chosen=scope)

    @post("/publish", name="reports.publish")
    async def publish(self, request: AnyRequest) -> Response[Any]:
        """A partner publishes its own month to the hub (one click)."""
        form = await read_form(request, PublishForm)
        scope = await access.scope_for(request.user)
        if scope.hub_wide:
            msg = "The hub's own figures need no publishing: partners publish theirs"
            raise Forbidden(msg)
        period = periods.month(form.month)
        report = await build_report(scope, period, today())
        await publishing.publish(request.user, report, period)
        return see_other(f"/reports?month={period.start:%Y-%m}&published=1")

    @get("/partners", name="reports.partners")
    async def partners(self, request: AnyRequest) -> Template:
        """Every partner's published month side by side (the hub's managers only)."""
        scope = await access.scope_for(request.user)
        if not scope.hub_wide:
            raise await access.refuse(request.user, "partners")
        values = _asked(request)
        period = periods.month(values["month"]) if values["month"] else _period(values)
        return page(
            "reports/partners.html",
            period=period,
            table=await publishing.side_by_side(period),
            values=values,
        )


class FeedbackController(Controller):
    """Feedback from a link or QR code: no sign-in, nothing about the person kept."""

    path = "/feedback"

    @get("/{about:str}/{key:str}", name="feedback.form")
    async def form(self, about: FromPath[str], key: FromPath[str]) -> Template:
        """The feedback form for a session, a service or a signposting hand-over."""
        subject = await feedback.subject(about, key)
        return page(
            "reports/feedback_form.html", subject=subject, values={}, ratings=feedback.RATINGS
        )

    @post("/{about:str}/{key:str}", name="feedback.give")
    async def give(self, request: AnyRequest, about: FromPath[str], key: FromPath[str]) -> Template:
        """Keep the feedback, then say thank you."""
        subject = await feedback.subject(about, key)
        form = await read_form(request, feedback.FeedbackForm)
        try:
            await feedback.give_feedback(subject, form)
        except Invalid as exc:
            return form_error_page(
                "reports/feedback_form.html",
                exc,
                subject=subject,
                values=msgspec.structs.asdict(form),
                ratings=feedback.RATINGS,
            )
        return page("reports/feedback_thanks.html", subject=subject)


def feedback_url(about: str, key: str) -> str:
    """The full feedback link for a printed sheet."""
    return f"{get_settings().base_url}/feedback/{about}/{key}"


class FeedbackSheetController(Controller):
    """A printable sheet with a session's feedback link and QR code."""

    path = "/sessions"
    guards = [requires_staff]

    @get("/{session_id:uuid}/feedback-sheet", name="feedback.sheet")
    async def sheet(self, session_id: FromPath[UUID]) -> Template:
        """The session's feedback link as words and as a QR code, to print."""
        session = await get_session(session_id)
        url = feedback_url("session", str(session.id))
        qr = segno.make(url, error="m").svg_inline(scale=6, title=f"QR code for {url}")
        return page("reports/feedback_sheet.html", session=session, url=url, qr=qr)
