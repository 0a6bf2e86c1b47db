"""Every figure against a hand-built month, for the whole hub and for one partner."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hub.errors import Invalid
from reports.build import build_report
from reports.periods import Period, date_range, month
from reports.schemas import Report, Scope
from reports.tables import Feedback
from tests.reports.monitoring_data import JANUARY, january

HUB = Scope(organisation_id=None, name="The whole hub")


def counts(report: Report, key: str) -> dict[str, int]:
    figure = report.figure(key)
    assert figure is not None, key
    return {row.label: row.count for row in figure.rows}


async def test_the_whole_hubs_figures_follow_the_counting_rules() -> None:
    data = await january()
    report = await build_report(HUB, JANUARY, date(2027, 2, 10))
    assert counts(report, "visits-by-session") == {"SMART Recovery group": 9, "Social afternoon": 7}
    assert counts(report, "visits-by-need") == {
        "Substance use": 9,
        "Social connection and peer support": 7,
    }
    assert counts(report, "visits-new-returning") == {"First visit": 6, "Been before": 10}
    assert counts(report, "visits-by-age")["Not asked"] == 16
    weeks = counts(report, "visits-by-week")
    assert weeks["Week of 11 Jan"] == 13
    assert weeks["Week of 18 Jan"] == 3
    assert counts(report, "signposting-by-need") == {"Housing": 7, "Food": 2}
    assert counts(report, "signposting-by-service") == {
        "Recovery Dundee one-to-one": 1,
        "Social afternoon": 1,
    }
    assert counts(report, "referrals-outcomes") == {
        "Sent": 7,
        "Accepted": 5,
        "Declined": 1,
        "Completed": 2,
        "Failed": 0,
        "Cancelled": 0,
        "Waiting for an answer": 1,
    }
    assert counts(report, "referrals-declined") == {"No capacity at the moment": 1}
    assert counts(report, "referrals-completed") == {"Need met": 2}
    assert counts(report, "referrals-by-sender") == {"Lochee Hub": 7}
    referrals = next(s for s in report.sections if s.key == "referrals")
    # Answers after 0, 1, 1, 2, 3 and 10 working days: median 1.5, 90th percentile 10.
    assert referrals.statements[0].value == "median 1.5, 90th percentile 10 working days"
    assert counts(report, "plans-reviews") == {
        "Clients with an open plan": 2,
        "Reviews held": 2,
        "Reviews due": 1,
        "Reviews overdue": 2,
    }
    assert counts(report, "wellbeing") == {
        "Where I live: rose": 1,
        "Where I live: stayed the same": 1,
        "Where I live: fell": 0,
        "Money: rose": 0,
        "Money: stayed the same": 0,
        "Money: fell": 1,
    }
    assert counts(report, "goals-outcomes") == {
        "Achieved": 1,
        "Partly achieved": 1,
        "Not achieved": 0,
        "No longer wanted": 0,
    }
    ratings = counts(report, "feedback-ratings")
    assert ratings["5 (very good)"] == 6
    assert ratings["2 (poor)"] == 1
    assert ratings["1 (very poor)"] == 0
    feedback = next(s for s in report.sections if s.key == "feedback")
    assert feedback.comments == ["Social afternoon: Too crowded"]
    assert [(s.label, s.value) for s in feedback.statements] == [
        ("SMART Recovery group", "average 5.0 from 6 ratings"),
        ("Social afternoon", "Not shown: fewer than 5 ratings"),
    ]
    assert data.hub.partner.name == "Recovery Dundee"


async def test_a_partner_sees_only_its_own_organisations_figures() -> None:
    data = await january()
    scope = Scope(organisation_id=data.hub.partner.id, name="Recovery Dundee")
    report = await build_report(scope, JANUARY, date(2027, 2, 10))
    assert counts(report, "visits-by-session") == {"SMART Recovery group": 9}
    assert report.figure("signposting-by-need") is None  # the hub's own tallies
    assert counts(report, "signposting-by-service") == {"Recovery Dundee one-to-one": 1}
    assert counts(report, "referrals-outcomes")["Sent"] == 7  # it received them
    assert counts(report, "plans-reviews")["Clients with an open plan"] == 1  # its care team
    assert counts(report, "feedback-ratings")["2 (poor)"] == 0
    assert next(s for s in report.sections if s.key == "feedback").comments == []


async def test_month_edges_are_uk_midnights_across_the_clock_change() -> None:
    march = month("2027-03")  # the clocks go forward on 28 March 2027
    assert march.starts_at == datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
    assert march.ends_at == datetime(2027, 3, 31, 23, 0, tzinfo=UTC)
    october = month("2027-10")  # and back on 31 October
    assert october.starts_at == datetime(2027, 9, 30, 23, 0, tzinfo=UTC)
    assert october.ends_at == datetime(2027, 11, 1, 0, 0, tzinfo=UTC)
    for given_at in (
        datetime(2027, 3, 31, 22, 59, tzinfo=UTC),
        datetime(2027, 3, 31, 23, 0, tzinfo=UTC),
    ):
        await Feedback.insert(
            Feedback(about="session", title="Drop-in", rating=4, given_at=given_at)
        )
    in_march = await build_report(HUB, march, date(2027, 5, 1))
    in_april = await build_report(HUB, month("2027-04"), date(2027, 5, 1))
    assert counts(in_march, "feedback-ratings")["4 (good)"] == 1
    assert counts(in_april, "feedback-ratings")["4 (good)"] == 1


async def test_an_empty_month_says_no_data_and_bad_ranges_are_explained() -> None:
    report = await build_report(HUB, month("2030-06"), date(2030, 7, 1))
    assert all(figure.empty for section in report.sections for figure in section.figures)
    with pytest.raises(Invalid, match="after the first day"):
        date_range("2027-02-01", "2027-01-01")
    with pytest.raises(Invalid):
        month("2027-13")
    assert Period(start=date(2027, 1, 1), end=date(2027, 1, 31)).label == "January 2027"
