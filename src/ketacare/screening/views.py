"""The prescriber's eligibility page: the screen of the chart for one route, the signed reviews
and, for prescribers, the form that signs a new one (`/patients/<id>/eligibility/?route=R`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from ketacare.clinics.models import Membership, Route
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import membership_required
from ketacare.patients.models import Patient
from ketacare.patients.queries import get_patient_for
from ketacare.screening.errors import ConflictCode, ReviewConflict
from ketacare.screening.forms import ReviewForm
from ketacare.screening.models import EligibilityReview
from ketacare.screening.presentation import (
    DECISION_HEADLINES,
    ROUTE_PHRASES,
    banner_text,
    rule_rows,
)
from ketacare.screening.queries import (
    SCREEN,
    ChartScreen,
    require_reading,
    require_signing,
    reviews_of,
    screen_digest,
    screen_for,
)
from ketacare.screening.services import sign_eligibility_decision


def default_route(membership: Membership) -> str:
    """The clinic's first offered route, else the first route of the contract."""
    offered = membership.clinic.routes
    return offered[0] if offered else Route.values[0]


# Every role may open a patient: another clinic's patient is a 404 before the role is asked
# (never a 403 across clinics); `view_eligibility` is checked next, then the input.
@membership_required(Permission.VIEW_PATIENT, object_type=SCREEN)
def review(request: HttpRequest, patient_id: int, *, membership: Membership) -> HttpResponse:
    """GET: the screen and the reviews of one route. POST (prescribers): sign a review."""
    patient = get_patient_for(membership, patient_id, audit_read=False)
    try:
        require_reading(membership, SCREEN, object_id=patient.pk, patient_id=patient.pk)
    except PermissionDenied:
        return _forbidden(request, membership, Permission.VIEW_ELIGIBILITY)
    source = request.POST if request.method == "POST" else request.GET
    route = source.get("route") or default_route(membership)
    if route not in Route.values:
        context = {"tabs": _tabs(membership, patient.pk, None, []), "bad_route": True}
        return render(request, "screening/review.html", context, status=400)
    form: ReviewForm | None = None
    status = 200
    if request.method == "POST":
        outcome = _sign(request, membership, patient)
        if isinstance(outcome, HttpResponse):
            return outcome
        form, status = outcome
    try:
        screen = screen_for(membership, patient, route)
    except ReviewConflict as conflict:
        context = {"tabs": _tabs(membership, patient.pk, route, []), "conflict": conflict}
        return render(request, "screening/review.html", context, status=409)
    context = _context(request, membership, patient, route, screen, form)
    return render(request, "screening/review.html", context, status=status)


def _sign(
    request: HttpRequest, membership: Membership, patient: Patient
) -> HttpResponse | tuple[ReviewForm, int]:
    """Sign the posted form; a redirect on success, else the bound form and the status."""
    try:
        require_signing(membership, patient)
    except PermissionDenied:
        return _forbidden(request, membership, Permission.SIGN_ELIGIBILITY)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return form, 400
    data = form.cleaned_data
    try:
        sign_eligibility_decision(
            by=membership,
            patient_id=patient.pk,
            route=data["route"],
            decision=data["decision"],
            note=data["note"],
            findings=data["findings"],
            seen_screen_digest=data["screen_digest"],
        )
    except PermissionDenied:  # the role changed a moment ago; the service recorded it
        return _forbidden(request, membership, Permission.SIGN_ELIGIBILITY)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return form, 400
    except ReviewConflict as conflict:
        if conflict.conflict_code is ConflictCode.SCREEN_CHANGED:
            form.add_error(None, conflict.message)
        else:
            form.add_error("decision", [conflict.message, *conflict.reasons])
        return form, 409
    messages.success(request, "Eligibility review signed.")
    query = urlencode({"route": data["route"]})
    return HttpResponseRedirect(f"{_page_url(patient.pk)}?{query}#signed")


def _forbidden(
    request: HttpRequest, membership: Membership, permission: Permission
) -> HttpResponse:
    context = {"membership": membership, "permission": permission}
    return render(request, "clinics/forbidden.html", context, status=403)


def _context(
    request: HttpRequest,
    membership: Membership,
    patient: Patient,
    route: str,
    screen: ChartScreen,
    form: ReviewForm | None,
) -> dict[str, Any]:
    reviews = list(reviews_of(patient))
    of_route = [r for r in reviews if r.route == route]
    current = of_route[0] if of_route else None
    can_sign = has_permission(membership, Permission.SIGN_ELIGIBILITY)
    excluded = [r for r in screen.result.rules if r.outcome.value == "exclude"]
    wants_new = request.GET.get("new") == "1"
    if can_sign and form is None and (current is None or wants_new):
        form = ReviewForm(initial={"route": route, "screen_digest": screen.digest})
    elif form is not None:
        # A re-shown form signs over the screen shown now, not the one it was filled over.
        form.data = form.data.copy()
        form.data["screen_digest"] = screen.digest
    rows = rule_rows(screen.result)
    return {
        "membership": membership,
        "patient": patient,
        "route": route,
        "route_label": Route(route).label,
        "route_phrase": ROUTE_PHRASES[route],
        "offered": route in membership.clinic.routes,
        "tabs": _tabs(membership, patient.pk, route, reviews),
        "screen": screen.result,
        "headline": DECISION_HEADLINES[screen.result.decision.value],
        "banner": banner_text(screen.result),
        "attention": [r for r in rows if r.outcome != "pass"],
        "passed": [r for r in rows if r.outcome == "pass"],
        "rule_count": len(rows),
        "excluded": excluded,
        "needs_note": screen.result.decision.value == "needs_review",
        "current": current,
        "current_changed": current is not None and screen_digest(current.screen) != screen.digest,
        "current_decision_was": (
            DECISION_HEADLINES.get(current.screen_decision, "") if current is not None else ""
        ),
        "earlier": of_route[1:],
        "can_sign": can_sign,
        "form": form if can_sign else None,
        "chart_url": reverse("patients:chart", args=[patient.pk]),
        "page_url": _page_url(patient.pk),
    }


def _tabs(
    membership: Membership,
    patient_id: int,
    route: str | None,
    reviews: list[EligibilityReview],
) -> list[dict[str, Any]]:
    """The route tabs: the clinic's offered routes first, each with its latest signed decision."""
    offered = membership.clinic.routes
    ordered = [*offered, *(r for r in Route.values if r not in offered)]
    latest: dict[str, EligibilityReview] = {}
    for item in reviews:  # newest first
        latest.setdefault(item.route, item)
    return [
        {
            "route": value,
            "label": Route(value).label,
            "offered": value in offered,
            "current": value == route,
            "url": f"{_page_url(patient_id)}?{urlencode({'route': value})}",
            "latest": latest.get(value),
        }
        for value in ordered
    ]


def _page_url(patient_id: int) -> str:
    return reverse("screening:review", args=[patient_id])
