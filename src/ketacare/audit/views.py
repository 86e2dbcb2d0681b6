"""The audit report (permission `view_audit_report`: clinic admins and auditors): filter, page
through, export as CSV.

Both views show the events of the acting clinic only: the clinic the user acts for everywhere
else (`ketacare.clinics.tenancy.acting_membership`, chosen with the clinic switcher on the home
page). They are guarded like every staff page (`membership_required`): anonymous visitors go to
the login page; a user with no active membership gets the 403 "no clinic yet" page and another
role the 403 "not allowed" page, each with a denied `audit_report` event (action `read` for the
page, `export` for the CSV). Reading the report and exporting it are themselves audited.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from ketacare.audit.chain import canonical_time
from ketacare.audit.forms import AuditReportForm
from ketacare.audit.models import REPORT_OBJECT_TYPE, Action
from ketacare.audit.queries import audit_events_for
from ketacare.audit.services import record_event
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import membership_required

PAGE_SIZE = 50
EXPORT_CHUNK = 2000

CSV_HEADER = (
    "id",
    "time",
    "user",
    "role",
    "clinic",
    "action",
    "object type",
    "object id",
    "patient id",
    "channel",
    "ip",
    "user agent",
    "allowed",
    "detail",
)
_CSV_COLUMNS = (
    "pk",
    "occurred_at",
    "actor_username",
    "actor_role",
    "clinic_id",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "channel",
    "ip_address",
    "user_agent",
    "allowed",
    "detail",
)
# A spreadsheet runs a cell starting with one of these as a formula; user agents are typed by
# whoever sends the request, so such cells are defused with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _render_invalid(
    request: HttpRequest, membership: Membership, form: AuditReportForm
) -> HttpResponse:
    return render(
        request,
        "audit/report.html",
        {"membership": membership, "form": form, "page": None},
        status=400,
    )


@membership_required(Permission.VIEW_AUDIT_REPORT, object_type=REPORT_OBJECT_TYPE)
def report(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    form = AuditReportForm(request.GET)
    if not form.is_valid():
        return _render_invalid(request, membership, form)
    filters = form.to_filter().resolved_for(membership)
    requested_page = request.GET.get("page", "1")
    # Recorded before the read, so the page shows its own event like any other.
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=REPORT_OBJECT_TYPE,
        detail=filters.as_detail(page=requested_page),
    )
    page = Paginator(audit_events_for(membership, filters=filters), PAGE_SIZE).get_page(
        requested_page
    )
    context = {"membership": membership, "form": form, "page": page}
    template = "audit/_events.html" if getattr(request, "htmx", False) else "audit/report.html"
    return render(request, template, context)


class _Echo:
    """The file-like object csv.writer needs; each write hands the line straight back."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return f"'{value}"
    return value


def _csv_lines(rows: Iterable[tuple[object, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row in rows:
        values = dict(zip(_CSV_COLUMNS, row, strict=True))
        values["occurred_at"] = canonical_time(values["occurred_at"])  # type: ignore[arg-type]
        values["allowed"] = "yes" if values["allowed"] else "no"
        yield writer.writerow([_cell(values[name]) for name in _CSV_COLUMNS])


@membership_required(
    Permission.VIEW_AUDIT_REPORT, object_type=REPORT_OBJECT_TYPE, action=Action.EXPORT
)
def export_csv(
    request: HttpRequest, *, membership: Membership
) -> HttpResponse | StreamingHttpResponse:
    form = AuditReportForm(request.GET)
    if not form.is_valid():
        return _render_invalid(request, membership, form)
    filters = form.to_filter().resolved_for(membership)
    record_event(
        action=Action.EXPORT,
        membership=membership,
        object_type=REPORT_OBJECT_TYPE,
        detail=filters.as_detail(),
    )
    rows = (
        audit_events_for(membership, filters=filters)
        .values_list(*_CSV_COLUMNS)
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    filename = f"audit-clinic-{membership.clinic_id}-{timezone.now():%Y%m%d-%H%M%S}.csv"
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
