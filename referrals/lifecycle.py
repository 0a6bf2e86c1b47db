"""The referral lifecycle (HL7 Gravity referral Task statuses): states, moves, who makes them.

Pure: no database. `plan_move` says whether a move is allowed from a status for a side, and
what it needs (a reason, an outcome); the services apply it.
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT = "draft"
REQUESTED = "requested"
ACCEPTED = "accepted"
REJECTED = "rejected"
CANCELLED = "cancelled"
IN_PROGRESS = "in-progress"
ON_HOLD = "on-hold"
COMPLETED = "completed"
FAILED = "failed"

STATUS_LABELS: dict[str, str] = {
    DRAFT: "Draft",
    REQUESTED: "Requested",
    ACCEPTED: "Accepted",
    REJECTED: "Declined",
    CANCELLED: "Cancelled",
    IN_PROGRESS: "In progress",
    ON_HOLD: "On hold",
    COMPLETED: "Completed",
    FAILED: "Failed",
}

OPEN = frozenset({REQUESTED, ACCEPTED, IN_PROGRESS, ON_HOLD})
"""While a referral is open its recipient is involved with the client."""
TERMINAL = frozenset({REJECTED, CANCELLED, COMPLETED, FAILED})
"""Declined, cancelled or closed: the recipient keeps only a tombstone."""

SENDER = "sender"
RECIPIENT = "recipient"

URGENCIES: dict[str, str] = {
    "routine": "Routine",
    "soon": "Soon (within a week)",
    "urgent": "Urgent (today or tomorrow)",
}

DECLINE_REASONS: dict[str, str] = {
    "not_eligible": "The client is not eligible for this service",
    "no_capacity": "No capacity at the moment",
    "better_elsewhere": "Another service would suit the client better",
    "client_declined": "The client does not want the service",
    "could_not_contact": "Could not contact the client",
    "duplicate": "Already referred or already supported",
    "other": "Other reason",
}

FAILURE_REASONS: dict[str, str] = {
    "lost_contact": "Lost contact with the client",
    "client_withdrew": "The client stopped engaging",
    "circumstances_changed": "The client's circumstances changed",
    "service_ended": "The service could not continue",
    "other": "Other reason",
}

CANCEL_REASONS: dict[str, str] = {
    "client_changed_mind": "The client changed their mind",
    "need_met": "The need has been met another way",
    "sent_in_error": "Sent in error",
    "rerouted": "Re-routed to another service",
    "other": "Other reason",
}

OUTCOMES: dict[str, str] = {
    "need_met": "Need met",
    "partly_met": "Need partly met",
    "support_ongoing": "Support continues outside the referral",
    "signposted_on": "Signposted to another service",
    "other": "Other outcome",
}


@dataclass(frozen=True)
class Move:
    """One move a side may make: the action word, the status it leads to, what it needs."""

    action: str
    to: str
    side: str
    label: str
    reasons: dict[str, str] | None = None
    needs_outcome: bool = False


ACCEPT = Move("accept", ACCEPTED, RECIPIENT, "Accept")
DECLINE = Move("decline", REJECTED, RECIPIENT, "Decline", reasons=DECLINE_REASONS)
START = Move("start", IN_PROGRESS, RECIPIENT, "Start work")
RESUME = Move("resume", IN_PROGRESS, RECIPIENT, "Resume")
HOLD = Move("hold", ON_HOLD, RECIPIENT, "Put on hold")
COMPLETE = Move("complete", COMPLETED, RECIPIENT, "Complete", needs_outcome=True)
FAIL = Move("fail", FAILED, RECIPIENT, "Mark as failed", reasons=FAILURE_REASONS)
CANCEL = Move("cancel", CANCELLED, SENDER, "Cancel referral", reasons=CANCEL_REASONS)

MOVES_FROM: dict[str, tuple[Move, ...]] = {
    REQUESTED: (ACCEPT, DECLINE, CANCEL),
    ACCEPTED: (START, HOLD, COMPLETE, FAIL, CANCEL),
    IN_PROGRESS: (HOLD, COMPLETE, FAIL, CANCEL),
    ON_HOLD: (RESUME, COMPLETE, FAIL, CANCEL),
}
"""Every allowed move, by the status it starts from; anything else is refused."""

ACTIONS: dict[str, Move] = {move.action: move for moves in MOVES_FROM.values() for move in moves}


def moves_for(status: str, side: str) -> tuple[Move, ...]:
    """The moves this side may make from `status` (buttons to show)."""
    return tuple(m for m in MOVES_FROM.get(status, ()) if m.side == side)


class MoveRefused(Exception):
    """The move is not allowed; `message` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def plan_move(status: str, action: str, side: str) -> Move:
    """The move `action` from `status` by `side`, or MoveRefused saying why not."""
    move = ACTIONS.get(action)
    if move is None:
        msg = f"There is no such action as {action!r}."
        raise MoveRefused(msg)
    label = STATUS_LABELS.get(status, status).lower()
    if move not in MOVES_FROM.get(status, ()):
        msg = f"A referral that is {label} cannot be moved that way ({move.label.lower()})."
        raise MoveRefused(msg)
    if move.side != side:
        who = "the service that received it" if move.side == RECIPIENT else "whoever sent it"
        msg = f"Only {who} can {move.label.lower()} this referral."
        raise MoveRefused(msg)
    return move


INBOX_GROUPS: dict[str, str] = {
    "new": "New",
    "awaiting": "Opened, not answered",
    "accepted": "Accepted",
    "in_progress": "In progress",
    "on_hold": "On hold",
    "closed": "Closed",
}
"""The inbox's tabs, in order; each holds exactly the statuses GROUP_STATUSES gives it."""

GROUP_STATUSES: dict[str, frozenset[str]] = {
    "new": frozenset({REQUESTED}),
    "awaiting": frozenset({REQUESTED}),
    "accepted": frozenset({ACCEPTED}),
    "in_progress": frozenset({IN_PROGRESS}),
    "on_hold": frozenset({ON_HOLD}),
    "closed": TERMINAL,
}
"""Which statuses each tab holds (requested ones split by whether the recipient opened them)."""


def inbox_group(status: str, opened: bool) -> str:
    """The inbox tab a referral sits under: its status's own, a requested one split by opening."""
    if status == REQUESTED:
        return "awaiting" if opened else "new"
    for group, statuses in GROUP_STATUSES.items():
        if status in statuses:
            return group
    return "closed"
