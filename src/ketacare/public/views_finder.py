"""Public pages of the self-check, the clinic finder and a clinic's own page (no sign-in).

Views parse, call `ketacare.public.self_check` / `ketacare.public.finder`, and render. The
self-check stores nothing and logs nothing of the answers; its result is carried on only as a
signed value in links the person follows.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from ketacare.clinics.models import Clinic

# The same words for each treatment's decision as the clinic sees in its queue.
from ketacare.intake.display import DECISIONS
from ketacare.public.finder import RADIUS_DEFAULT_MILES, find_clinics
from ketacare.public.forms_finder import FinderForm
from ketacare.public.forms_self_check import SelfCheckForm, route_label
from ketacare.public.limits import TOO_MANY, public_allowed
from ketacare.public.self_check import NOT_SURE, run_self_check, sign_self_check
from ketacare.public.self_check_token import SelfCheckTokenError, read_self_check_token

RESULT_HEADLINES = {
    "may_be_candidate": "You may be a candidate",
    "needs_clinician": "A clinician needs to look at your answers",
    "usually_not_offered": "This treatment is usually not offered with these answers",
}


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "public/finder_too_many.html", {"message": TOO_MANY}, status=429)


# --- the self-check ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    """GET: the questions. POST: the result (nothing stored), or the questions again naming
    every missing answer."""
    if request.method != "POST":
        return render(request, "public/selfcheck_form.html", {"form": SelfCheckForm()})
    if not public_allowed(request, "self-check"):
        return _too_many(request)
    form = SelfCheckForm(request.POST)
    if not form.is_valid() or form.answers is None:
        return render(request, "public/selfcheck_form.html", {"form": form}, status=422)
    result = run_self_check(form.answers)
    token = sign_self_check(result)
    chosen = form.answers.route
    finder_query = {"self_check": token}
    if chosen != NOT_SURE:
        finder_query["route"] = chosen
    context: dict[str, Any] = {
        "result": result,
        "headline": RESULT_HEADLINES[result.result],
        "routes": [(route_label(r.route), DECISIONS[r.decision]) for r in result.routes],
        "finder_form": FinderForm(
            initial={"self_check": token, "route": "" if chosen == NOT_SURE else chosen}
        ),
        "finder_url": f"{reverse('public:finder')}?{urlencode(finder_query)}",
        "severity_words": result.phq9_severity.replace("_", " "),
    }
    return render(request, "public/selfcheck_result.html", context)


# --- the finder --------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def finder(request: HttpRequest) -> HttpResponse:
    """Clinics near a ZIP code, nearest first; without a ZIP, just the search form."""
    if "zip" not in request.GET:
        initial = {k: request.GET[k] for k in ("route", "self_check") if k in request.GET}
        form = FinderForm(initial=initial)
        return render(request, "public/finder_list.html", _finder_context(form, None))
    if not public_allowed(request, "finder"):
        return _too_many(request)
    form = FinderForm(request.GET)
    if not form.is_valid():
        return render(request, "public/finder_list.html", _finder_context(form, None), status=422)
    data = form.cleaned_data
    try:
        found = find_clinics(
            zip_code=data["zip"],
            radius_miles=data["radius_miles"] or RADIUS_DEFAULT_MILES,
            route=data["route"] or None,
            accepting_only=data["accepting"],
            rems_only=data["rems"],
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return render(request, "public/finder_list.html", _finder_context(form, None), status=422)
    return render(request, "public/finder_list.html", _finder_context(form, found))


def _finder_context(form: FinderForm, found: Any) -> dict[str, Any]:
    token = form.data.get("self_check") if form.is_bound else form.initial.get("self_check")
    suffix = f"?{urlencode({'self_check': str(token)})}" if _readable(token) else ""
    rows = []
    if found is not None:
        rows = [
            {
                "match": match,
                "url": f"{reverse('public:clinic', args=[match.clinic.pk])}{suffix}",
                "routes": [route_label(r) for r in match.clinic.routes],
            }
            for match in found.items
        ]
    return {"form": form, "found": found, "rows": rows}


def _readable(token: object) -> bool:
    if not isinstance(token, str) or not token:
        return False
    try:
        read_self_check_token(token)
    except SelfCheckTokenError:
        return False
    return True


# --- a clinic's page ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def clinic_detail(request: HttpRequest, clinic_id: int) -> HttpResponse:
    """The clinic's public listing and its intake form (which reads a self-check to attach from
    the link's `?self_check=` itself); an unknown clinic is a 404."""
    clinic = get_object_or_404(Clinic, pk=clinic_id)
    context = {
        "clinic": clinic,
        "routes": [route_label(r) for r in clinic.routes],
        "tel": "".join(ch for ch in clinic.phone if ch.isdigit() or ch == "+"),
    }
    return render(request, "public/clinic_detail.html", context)
