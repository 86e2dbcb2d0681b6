"""One page of a list (contracts.md 2.0: `?limit=&offset=`, `{"items", "count"}`), its read
audited with the ids of the rows shown (`ketacare.audit.services.record_list_read`)."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from ketacare.api.schemas import PageParams
from ketacare.audit.services import record_list_read
from ketacare.clinics.models import Membership

M = TypeVar("M", bound=Model)


def read_page(
    rows: QuerySet[M],
    page: PageParams,
    *,
    membership: Membership,
    object_type: str,
    detail: str = "",
    patient_id: int | None = None,
) -> tuple[list[M], int]:
    """The rows of the page and the count of all; the audit detail starts with
    `offset= shown= total=`, then `detail` (codes only, never the search text)."""
    count = rows.count()
    shown = list(rows[page.offset : page.offset + page.limit])
    record_list_read(
        membership=membership,
        object_type=object_type,
        ids=[row.pk for row in shown],
        patient_id=patient_id,
        detail=f"offset={page.offset} shown={len(shown)} total={count} {detail}".strip(),
    )
    return shown, count
