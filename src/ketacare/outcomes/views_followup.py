"""The follow-up page (`/outcomes/follow-up/`): patient scales due today, overdue, answered in
the last days, and every failed e-mail with its reason; "Send now" per unanswered timepoint.

Status only, never scores (coordinators see this page). Views parse, call the query or the
service, audit the ids shown and render.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_list_read
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import InPath, membership_required
from ketacare.outcomes.followup import (
    FOLLOWUP_LIST_OBJECT_TYPE,
    STATUS_LABELS,
    TIMEPOINT_OBJECT_TYPE,
    FollowUpStatus,
    failed_deliveries_for,
    instrument_choices,
    status_counts_for,
    timepoints_for,
)
from ketacare.outcomes.models import Timepoint
from ketacare.outcomes.services_delivery import send_link_now

ROWS_PER_PAGE = 25
_timepoint_in_path = InPath(Timepoint, "timepoint_id", object_type=TIMEPOINT_OBJECT_TYPE)


class FollowUpFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(str(s), label) for s, label in STATUS_LABELS.items()], required=False
    )
    instrument = forms.ChoiceField(label="Scale", required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", "Every scale"), *instrument_choices()]

    def chosen_status(self) -> FollowUpStatus:
        return FollowUpStatus(self.cleaned_data.get("status") or FollowUpStatus.DUE)


@require_http_methods(["GET", "HEAD"])
@membership_required(Permission.VIEW_FOLLOWUP, object_type=FOLLOWUP_LIST_OBJECT_TYPE)
def followup(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    form = FollowUpFilterForm(request.GET)
    if not form.is_valid():
        # Nothing was read, so nothing is audited; the page names the bad filter.
        return _render(request, {"membership": membership, "form": form, "rows": []}, status=400)
    status = form.chosen_status()
    instrument = form.cleaned_data.get("instrument") or ""
    rows_qs = (
        failed_deliveries_for(membership, instrument=instrument)
        if status == FollowUpStatus.FAILED
        else timepoints_for(membership, status, instrument=instrument)
    )
    paginator = Paginator(rows_qs, ROWS_PER_PAGE)
    page = paginator.get_page(form.cleaned_data.get("page"))
    rows = list(page.object_list)
    labels = dict(instrument_choices())
    for row in rows:
        code = row.link.instrument if status == FollowUpStatus.FAILED else row.instrument
        row.instrument_label = labels.get(code, code)
    record_list_read(
        membership=membership,
        object_type=FOLLOWUP_LIST_OBJECT_TYPE,
        ids=[row.pk for row in rows],
        detail=f"page={page.number} shown={len(rows)} total={paginator.count} "
        f"status={status} instrument={instrument or 'all'}",
    )
    counts = status_counts_for(membership, instrument=instrument)
    query = {"instrument": instrument} if instrument else {}
    context = {
        "membership": membership,
        "form": form,
        "status": str(status),
        "tabs": [
            (str(s), label, counts[str(s)], urlencode({"status": str(s), **query}))
            for s, label in STATUS_LABELS.items()
        ],
        "page": page,
        "page_query": urlencode({"status": str(status), **query}),
        "rows": rows,
        "can_send": has_permission(membership, Permission.SEND_ASSESSMENT_LINK)
        and status != FollowUpStatus.ANSWERED,
        "back": request.get_full_path(),
    }
    return _render(request, context)


def _render(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    template = (
        "outcomes/followup_list.html"
        if htmx and not htmx.history_restore_request
        else "outcomes/followup.html"
    )
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@membership_required(
    Permission.SEND_ASSESSMENT_LINK,
    object_type=TIMEPOINT_OBJECT_TYPE,
    action=Action.CREATE,
    in_path=_timepoint_in_path,
)
def send_now(request: HttpRequest, timepoint_id: int, *, membership: Membership) -> HttpResponse:
    """E-mail the patient a new link for this timepoint, then back to the list."""
    try:
        sent = send_link_now(
            by=membership, timepoint_id=timepoint_id, site_url=request.build_absolute_uri("/")
        )
    except Conflict as refused:
        messages.error(request, refused.detail)
    else:
        if sent.status == "sent":
            messages.success(request, "The e-mail with a new link was sent.")
        elif sent.status == "queued":
            messages.success(
                request,
                "The e-mail with a new link is queued; the background worker "
                "(ketacare worker) sends it.",
            )
        elif sent.status == "failed":
            messages.error(request, f"The e-mail was not sent: {sent.error}")
        else:
            messages.info(request, "Nothing was sent: the scale was answered or sent meanwhile.")
    back = request.POST.get("next", "")
    followup_url = reverse("outcomes:followup")
    # Only back to the follow-up page itself, never to an address from the form.
    target = back if back.startswith(followup_url) and "//" not in back else followup_url
    return HttpResponseRedirect(target)
