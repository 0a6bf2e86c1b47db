"""The fixed words of plans: wellbeing areas, statuses, priorities, outcomes, review spacing."""

from __future__ import annotations

from datetime import timedelta

WELLBEING_AREAS: dict[str, str] = {
    "home": "Where I live",
    "money": "Money",
    "health": "My health",
    "feeling_well": "Feeling well in myself",
    "drugs_alcohol": "Using drugs or alcohol",
    "friends": "Friends and community",
    "time": "Things I do with my time",
    "hopes": "Hopes for the future",
}
"""The project's own areas, rated 1 to 10 at each review (not the Outcome Star's)."""

SCORE_MIN = 1
SCORE_MAX = 10

PRIORITIES: dict[int, str] = {1: "High", 2: "Medium", 3: "Low"}

PROPOSED = "proposed"
AGREED = "agreed"
CLOSED = "closed"
GOAL_STATUSES: dict[str, str] = {PROPOSED: "Proposed", AGREED: "Agreed", CLOSED: "Closed"}

GOAL_OUTCOMES: dict[str, str] = {
    "achieved": "Achieved",
    "partly": "Partly achieved",
    "not": "Not achieved",
    "no_longer_wanted": "No longer wanted",
}

ACTION_STATUSES: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "on_hold": "On hold",
    "done": "Done",
    "stopped": "Stopped",
}
FINISHED_ACTIONS = frozenset({"done", "stopped"})

REVIEW_MIN = timedelta(weeks=4)
REVIEW_DEFAULT = timedelta(weeks=6)
REVIEW_MAX = timedelta(weeks=8)
REVIEW_DUE_SOON = timedelta(days=7)
"""A review this close is "coming due" on the lead's home page."""

CHOICE_WAYS: dict[str, str] = {
    "portal": "The client chose online",
    "in_person": "The client told me in person",
    "phone": "The client told me by phone",
    "letter": "The client told us in writing",
    "other": "Another way",
}

LEAD_EXPLANATION = (
    "Your lead professional is the one person you choose from the people helping you. "
    "They keep your plan together with you, make sure the different services work as one, "
    "and meet with you every 4 to 8 weeks to see how things are going. You can change who "
    "it is at any time."
)
