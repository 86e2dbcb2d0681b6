"""The clinic outcomes page and its CSV (docs/clinic-outcomes.md).

    /outcomes/clinic/       filters (dates, route, scale), rates with n and CI, the trials'
                            matching figures, the relapse curve; charts and tables
    /outcomes/clinic.csv    the same numbers for the same filters, as CSV (audited as an export)

The read is `clinic_outcomes`, the same as `GET /api/v1/outcomes`.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ketacare.audit.models import Action
from ketacare.clinical.outcomes.benchmarks import BENCHMARKS
from ketacare.clinical.outcomes.statistics import Proportion
from ketacare.clinics.models import Membership, Route
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import membership_required
from ketacare.outcomes.clinic_charts import render_rates, render_relapse
from ketacare.outcomes.clinic_forms import SCALE_LABELS, ClinicOutcomesForm
from ketacare.outcomes.clinic_outcomes import (
    OBJECT_TYPE,
    ClinicOutcomes,
    OutcomeFilters,
    clinic_outcomes,
    read_filters,
)


def _filters(request: HttpRequest) -> tuple[ClinicOutcomesForm, OutcomeFilters | None]:
    form = ClinicOutcomesForm(request.GET or None)
    today = timezone.localdate()
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    try:
        filters = read_filters(
            route=data.get("route") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            scale=data.get("scale") or None,
            today=today,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(ClinicOutcomesForm.FIELD_OF.get(field), messages)
        return form, None
    return form, filters


def _comparable_views(filters: OutcomeFilters) -> list[dict[str, str]]:
    """The (route, scale) pairs some trial measured, other than the one shown, as links with the
    same dates: where the clinic's own rates can be read beside a published figure."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for b in BENCHMARKS:
        trial = b.label.split(":")[0]
        trials = pairs.setdefault((b.route, b.scale), [])
        if trial not in trials:
            trials.append(trial)
    views = []
    for (route, scale), trials in pairs.items():
        if (route, scale) == (filters.route, filters.scale):
            continue
        query = {
            "date_from": filters.date_from.isoformat(),
            "date_to": filters.date_to.isoformat(),
            "route": route,
            "scale": scale,
        }
        views.append(
            {
                "label": f"{Route(route).label} by {SCALE_LABELS[scale]}",
                "trials": ", ".join(trials),
                "query": urlencode(query),
            }
        )
    return views


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _rate_row(p: Proportion) -> dict[str, object]:
    return {
        "n": p.n,
        "k": p.k,
        "rate": "no rate (n = 0)" if p.rate is None else _percent(p.rate),
        "ci95": f"{_percent(p.ci95[0])} to {_percent(p.ci95[1])}" if p.ci95 else "—",
    }


@require_GET
@membership_required(Permission.VIEW_CLINIC_OUTCOMES, object_type=OBJECT_TYPE)
def clinic_page(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    form, filters = _filters(request)
    context: dict[str, object] = {"form": form, "membership": membership}
    status = 200
    if filters is None:
        status = 422
    else:
        result = clinic_outcomes(membership, filters)
        context.update(
            result=result,
            route_label=Route(filters.route).label if filters.route else "Every route",
            rates_svg=render_rates(result, chart_id="clinic-rates"),
            relapse_svg=render_relapse(result, chart_id="clinic-relapse"),
            csv_query=request.GET.urlencode(),
            scale_label=SCALE_LABELS[filters.scale],
            rate_rows=[
                ("Response", _rate_row(result.response)),
                (f"Remission (total ≤ {result.remission_at_most})", _rate_row(result.remission)),
            ],
            comparable_views=_comparable_views(filters),
            benchmark_rows=[
                {"measure": m, "label": label, "rate": _percent(rate), "source": source}
                for m, label, rate, source in result.benchmarks
            ],
            curve_rows=[
                {
                    "day": p.day,
                    "survival": _percent(p.survival),
                    "low": _percent(p.low),
                    "high": _percent(p.high),
                }
                for p in result.relapse.curve
            ],
        )
    return render(request, "outcomes/clinic_page.html", context, status=status)


def csv_rows(result: ClinicOutcomes) -> list[list[object]]:
    """The CSV's rows: what was asked, the rates, the trials beside them, the curve."""
    f = result.filters
    rows: list[list[object]] = [
        ["section", "name", "n", "k", "rate", "ci95_low", "ci95_high", "source"],
        ["filters", "route", "", "", f.route or "all", "", "", ""],
        ["filters", "scale", "", "", f.scale, "", "", ""],
        ["filters", "from", "", "", f.date_from.isoformat(), "", "", ""],
        ["filters", "to", "", "", f.date_to.isoformat(), "", "", ""],
        ["treated", "patients_treated", result.patients_treated, "", "", "", "", ""],
    ]
    for name, p in (("response", result.response), ("remission", result.remission)):
        low, high = p.ci95 if p.ci95 else ("", "")
        rows.append(["rate", name, p.n, p.k, "" if p.rate is None else p.rate, low, high, ""])
    for measure, label, rate, source in result.benchmarks:
        rows.append(["benchmark", f"{measure}: {label}", "", "", rate, "", "", source])
    km = result.relapse
    rows.append(["relapse", "responders", km.followed, km.events, "", "", "", ""])
    rows.append(["relapse", "median_days", "", "", km.median_days or "", "", "", ""])
    rows += [
        ["relapse_curve", f"day {p.day}", "", "", p.survival, p.low, p.high, ""] for p in km.curve
    ]
    return rows


@require_GET
@membership_required(Permission.VIEW_CLINIC_OUTCOMES, object_type=OBJECT_TYPE, action=Action.EXPORT)
def clinic_csv(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    form, filters = _filters(request)
    if filters is None:
        errors = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items())
        return HttpResponse(errors, status=422, content_type="text/plain; charset=utf-8")
    result = clinic_outcomes(membership, filters, action=Action.EXPORT)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_rows(result))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"clinic-outcomes-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
