"""Staff pages: the clinic's home (patient table) and the clinic switcher."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from ketacare.audit.models import PATIENT_LIST_OBJECT_TYPE
from ketacare.audit.services import record_list_read
from ketacare.clinics.models import Membership, Route
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import membership_required, parse_id, switch_clinic, user_memberships
from ketacare.patients.queries import LIST_COLUMNS, patients_for
from ketacare.web.forms import PatientSearchForm
from ketacare.web.patient_stages import filter_stage, stage_of, with_stage

PATIENTS_PER_PAGE = 25


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in staff get their clinic's patient list (behind its guard, unchanged); a visitor
    who is not signed in gets the public side's welcome, which reads nothing, so no audit."""
    if not request.user.is_authenticated:
        return render(request, "public/welcome.html")
    return patient_list(request)


@membership_required(Permission.VIEW_PATIENT_LIST, object_type=PATIENT_LIST_OBJECT_TYPE)
def patient_list(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """The acting clinic's patients: searchable by name or MRN, 25 a page, read-only."""
    form = PatientSearchForm(request.GET)
    if not form.is_valid():
        # Nothing was read, so nothing is audited; the page says what is wrong with the search.
        context = {
            "membership": membership,
            "form": form,
            "page": None,
            "rows": [],
            "query": "",
            "stage": "",
            "show_stage": False,
            "list_query": "",
        }
        return _render_home(request, context, status=400)
    query = form.cleaned_data["q"]
    stage = form.cleaned_data["stage"]
    patients = patients_for(membership, search=query).only(*LIST_COLUMNS)
    # Where each patient stands is clinical information: shown to the roles that read reviews.
    show_stage = has_permission(membership, Permission.VIEW_ELIGIBILITY)
    if show_stage:
        patients = filter_stage(with_stage(patients), stage)
    paginator = Paginator(patients, PATIENTS_PER_PAGE)
    # get_page: a page past the end shows the last page, a malformed one the first; never 500.
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.stage = stage_of(row) if show_stage else None
        route = getattr(row, "active_plan_route", None) or getattr(row, "review_route", None)
        row.stage_route = Route(route).label if show_stage and route else ""
    # The search text may be a name, so only whether there was one is recorded; the ids of the
    # patients shown let the audit report find this view under each of them.
    record_list_read(
        membership=membership,
        object_type=PATIENT_LIST_OBJECT_TYPE,
        ids=[row.pk for row in rows],
        detail=f"page={page.number} shown={len(rows)} total={paginator.count} "
        f"search={int(bool(query))}" + (f" stage={stage}" if show_stage and stage else ""),
    )
    context = {
        "membership": membership,
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "stage": stage if show_stage else "",
        "show_stage": show_stage,
        "list_query": urlencode(
            {k: v for k, v in (("q", query), ("stage", stage if show_stage else "")) if v}
        ),
    }
    return _render_home(request, context)


def _render_home(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    # A history-restore request re-draws the whole page, so it gets the whole page.
    if htmx and not htmx.history_restore_request:
        response = render(request, "web/_patient_table.html", context, status=status)
    else:
        context["memberships"] = user_memberships(request)
        response = render(request, "web/home.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    """Act for another of the user's clinics; a clinic the user does not belong to is a 404."""
    switch_clinic(request, parse_id(request.POST.get("clinic")) or 0)
    return HttpResponseRedirect(reverse("web:home"))
