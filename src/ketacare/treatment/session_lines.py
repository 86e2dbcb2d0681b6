"""The rows of a patient's sessions page (`/patients/<id>/sessions/`), every word written.

A course runs to hundreds of sessions, so the page's table is built here once and the template
only places strings: the plan's current order is summarised once per plan (not once per row), the
dates are formatted and the links reversed in Python, and no row includes another template
(bench/results.md, "Pages: what dominates").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse
from django.utils.dateformat import format as format_date

from ketacare.clinics.models import Route
from ketacare.treatment.models import SessionStatus, TreatmentPlan, TreatmentSession


@dataclass(frozen=True, slots=True)
class SessionLine:
    """One session as its row shows it; an empty URL is a link the reader may not follow."""

    cancelled: bool
    date_iso: str
    date_text: str
    # The schedule's first date when the session was moved, else empty.
    planned_iso: str
    time_text: str
    route: str
    number: int
    label: str
    session_url: str
    status: str
    status_words: str
    change_reason: str
    order_summary: str
    plan_url: str
    move_url: str
    cancel_url: str


class IdUrls:
    """`reverse()` once per URL name: a row's URL is the same text with its id in place."""

    MARK = 987654321

    def __init__(self, name: str) -> None:
        self.head, self.tail = reverse(name, args=[self.MARK]).split(str(self.MARK))

    def __call__(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


def order_summaries(plans: Iterable[TreatmentPlan]) -> dict[int, str]:
    """Each plan's current order in one line (the plans' orders prefetched)."""
    summaries = {}
    for plan in plans:
        order = plan.current_order
        summaries[plan.pk] = order.summary if order is not None else "no order"
    return summaries


def session_lines(
    sessions: Iterable[TreatmentSession],
    plans: Mapping[int, TreatmentPlan],
    *,
    summaries: Mapping[int, str],
    link_sessions: bool,
    can_schedule: bool,
    back: str,
) -> list[SessionLine]:
    """The rows; `link_sessions` links each session (not cancelled) to its chair page,
    `can_schedule` gives the scheduled ones their move and cancel links back to `back`."""
    chair, plan_url = IdUrls("chair:session"), IdUrls("treatment:plan")
    move, cancel = IdUrls("treatment:session-move"), IdUrls("treatment:session-cancel")
    # As the templates' `|urlencode` writes it.
    next_query = "?next=" + quote(back, safe="/")
    lines = []
    for session in sessions:
        cancelled = session.status == SessionStatus.CANCELLED
        movable = can_schedule and session.status == SessionStatus.SCHEDULED
        route = plans[session.plan_id].route
        lines.append(
            SessionLine(
                cancelled=cancelled,
                date_iso=session.date.isoformat(),
                date_text=format_date(session.date, "D Y-m-d"),
                planned_iso=session.planned_date.isoformat()
                if session.date != session.planned_date
                else "",
                time_text=session.time.strftime("%H:%M") if session.time else "",
                route=str(Route(route).label) if route in Route.values else route,
                number=session.number,
                label=f"{session.number} · {session.phase}",
                session_url=chair(session.pk) if link_sessions and not cancelled else "",
                status=session.status,
                status_words=str(SessionStatus(session.status).label)
                if session.status in SessionStatus.values
                else session.status,
                change_reason=session.change_reason,
                order_summary=summaries.get(session.plan_id, ""),
                plan_url=plan_url(session.plan_id),
                move_url=move(session.pk) + next_query if movable else "",
                cancel_url=cancel(session.pk) + next_query if movable else "",
            )
        )
    return lines
