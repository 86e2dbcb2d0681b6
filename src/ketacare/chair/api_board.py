"""JSON API of the nurse board (contracts.md 2.3), under /api/v1/.

    GET /board?clinic_id=&limit=&offset=   the acting clinic's sessions in_chair or dosed

The same read as the board page (`ketacare.chair.board.read_board`): VIEW_SESSION, audited with
the ids of the patients shown, judged by the monitoring rules at the time of the request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from ketacare.api.acting import membership_for_clinic
from ketacare.api.schemas import Error, Invalid, Page, PageParams
from ketacare.chair.board import BoardRow, read_board

router = Router(tags=["chair"])

RouteId = Literal["iv_ketamine", "esketamine_nasal", "oral_ketamine"]


class BoardItem(Schema):
    """One chair. The contract's fields first (`open_alerts` counts the alerts waiting for
    an acknowledgement: warning and critical ones; info alerts ask for none); then `status`,
    `chair`, `open_critical_alerts` and `discharge_ready` (every DISCH-* criterion holds once a
    clinician attests dissociation resolved; null before the dose)."""

    session_id: int
    patient_id: int
    route: RouteId
    dose_at: dt.datetime | None
    minutes_since_dose: int | None
    last_reading_at: dt.datetime | None
    next_reading_due: dt.datetime | None
    overdue: bool
    open_alerts: int
    status: Literal["in_chair", "dosed"]
    chair: str
    open_critical_alerts: int
    discharge_ready: bool | None


class BoardPage(Page[BoardItem]):
    pass


def _item(row: BoardRow) -> dict[str, Any]:
    return {
        "session_id": row.session_id,
        "patient_id": row.patient_id,
        "route": row.route,
        "dose_at": row.dose_at,
        "minutes_since_dose": row.minutes_since_dose,
        "last_reading_at": row.last_reading_at,
        "next_reading_due": row.next_reading_due,
        "overdue": row.overdue,
        "open_alerts": row.open_alerts,
        "status": row.status,
        "chair": row.chair,
        "open_critical_alerts": row.open_critical_alerts,
        "discharge_ready": row.discharge_ready,
    }


@router.get(
    "/board",
    response={200: BoardPage, 401: Error, 403: Error, 404: Error, 422: Invalid},
    summary="The nurse board: the clinic's sessions in a chair (in_chair or dosed)",
)
def read_nurse_board(
    request: HttpRequest, page: Query[PageParams], clinic_id: int | None = None
) -> Any:
    membership = membership_for_clinic(request, clinic_id, location="query")
    rows, count = read_board(membership, now=timezone.now(), limit=page.limit, offset=page.offset)
    return Status(200, {"items": [_item(row) for row in rows], "count": count})
