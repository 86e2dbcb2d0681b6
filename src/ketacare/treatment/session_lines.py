"""The rows of a patient's sessions page (`/patients/<id>/sessions/`), written as HTML.

A course runs to hundreds of sessions and the page opens on every visit, so its table rows are
written here in one pass, as `chair.presentation.board_card` writes the board: no template loop,
include, filter or lookup per row (bench/results.md, "Pages: what dominates"). The plan's current
order is summarised once per plan (not once per row), the URLs reversed once per name, the words
of routes and statuses looked up once per request; every text from the record is escaped as the
templates escape it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import WEEKDAYS_ABBR

from ketacare.clinics.models import Route
from ketacare.treatment.models import DoseOrder, SessionStatus

CANCELLED_CLASS = ' class="tx-cancelled"'
NO_TIME = '<span class="muted">No time</span>'


class IdUrls:
    """`reverse()` once per URL name: a row's URL is the same text with its id in place."""

    MARK = 987654321
    # (name, script prefix, URL conf) -> the URL's text before and after the id, escaped: what
    # `reverse()` answers depends on nothing else.
    _parts: dict[tuple[str, str, object], tuple[str, str]] = {}

    def __init__(self, name: str) -> None:
        key = (name, get_script_prefix(), get_urlconf())
        parts = self._parts.get(key)
        if parts is None:
            head, tail = reverse(name, args=[self.MARK]).split(str(self.MARK))
            parts = self._parts[key] = (escape(head), escape(tail))
        self.head, self.tail = parts

    def __call__(self, pk: int) -> str:
        """The URL of `pk`, escaped for an HTML attribute."""
        return f"{self.head}{pk}{self.tail}"


def order_summary(
    order_id: int | None, dose_mg_per_kg: Any, duration_min: Any, concentration: Any, dose_mg: Any
) -> str:
    """A plan's current order in one line, as `DoseOrder.summary` words it; "no order" when the
    plan has none (`order_id` None)."""
    if order_id is None:
        return "no order"
    return DoseOrder(
        dose_mg_per_kg=dose_mg_per_kg,
        duration_min=duration_min,
        concentration_mg_per_ml=concentration,
        dose_mg=dose_mg,
    ).summary


def session_rows(
    rows: Iterable[Sequence[Any]],
    *,
    with_orders: bool,
    link_sessions: bool,
    can_schedule: bool,
    back: str,
) -> str:
    """The table rows (`<tr>`) of `rows`, as `queries.session_rows_of` gives them.

    `with_orders` adds the Order column (the rows then carry their plan's current order),
    `link_sessions` links each session (not cancelled) to its chair page, `can_schedule` adds the
    actions column, with move and cancel links (back to `back`) on the scheduled sessions.
    """
    chair, plan_url = IdUrls("chair:session"), IdUrls("treatment:plan")
    move, cancel = IdUrls("treatment:session-move"), IdUrls("treatment:session-cancel")
    # As the templates' `|urlencode` writes it.
    next_query = escape("?next=" + quote(back, safe="/"))
    # The words once per request (in its language), not once per row: the weekday as the
    # date filter's "D" writes it, the labels of the routes and statuses.
    weekdays = [escape(str(WEEKDAYS_ABBR[day])) for day in range(7)]
    routes = {value: str(label) for value, label in Route.choices}
    statuses = {value: str(label) for value, label in SessionStatus.choices}
    cancelled_status, scheduled = SessionStatus.CANCELLED.value, SessionStatus.SCHEDULED.value
    summaries: dict[int, str] = {}
    html = []
    for row in rows:
        pk, plan_id, route, number, phase, date, planned, time, status, reason = row[:10]
        cancelled = status == cancelled_status
        # Dates from the database: digits and dashes, nothing to escape.
        day = date.isoformat()
        when = f'<time datetime="{day}">{weekdays[date.weekday()]} {day}</time>'
        if planned != date:
            planned_day = planned.isoformat()
            when += (
                f' <span class="muted">(planned <time datetime="{planned_day}">'
                f"{planned_day}</time>)</span>"
            )
        label = escape(f"{number} · {phase}")
        if link_sessions and not cancelled:
            label = f'<a href="{chair(pk)}">{label}</a>'
        words = (
            f'<span class="tx-status tx-status-{escape(status)}">'
            f"{escape(statuses.get(status, status))}</span>"
        )
        if reason:
            words += f' <span class="muted">{escape(reason)}</span>'
        order_cell = actions_cell = ""
        if with_orders:
            summary = summaries.get(plan_id)
            if summary is None:
                summary = summaries[plan_id] = escape(order_summary(*row[11:16]))
            order_cell = f'<td data-label="Order"><a href="{plan_url(plan_id)}">{summary}</a></td>'
        if can_schedule:
            actions = ""
            if status == scheduled:
                actions = (
                    f'<span class="tx-actions"><a href="{move(pk)}{next_query}">Move'
                    f'<span class="tx-sr"> session {number}</span></a> '
                    f'<a href="{cancel(pk)}{next_query}">Cancel'
                    f'<span class="tx-sr"> session {number}</span></a></span>'
                )
            actions_cell = f'<td class="tx-row-actions">{actions}</td>'
        html.append(
            f"\n    <tr{CANCELLED_CLASS if cancelled else ''}>"
            f'\n      <td class="tx-name">{when}</td>'
            f'\n      <td data-label="Time">{time.strftime("%H:%M") if time else NO_TIME}</td>'
            f'\n      <td data-label="Route">{escape(routes.get(route, route))}</td>'
            f'\n      <td data-label="Session">{label}</td>'
            f'\n      <td data-label="Status">{words}</td>'
            f"\n      {order_cell}"
            f"\n      {actions_cell}"
            "\n    </tr>\n    "
        )
    return "".join(html)
