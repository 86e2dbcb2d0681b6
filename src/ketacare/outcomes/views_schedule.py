"""The measurement schedule page (`/outcomes/schedule/`, clinic admins) and the clinician
worklist (`/outcomes/worklist/`): MADRS and other clinician scales due or overdue, each linking
to the chart's scale entry, where the answer attaches to its timepoint by itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.audit.services import record_list_read
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import membership_required
from ketacare.outcomes.models import Audience
from ketacare.outcomes.schedule import MAX_MONTHLY_UNTIL_MONTHS, MAX_WEEKLY_FOR_WEEKS
from ketacare.outcomes.services_schedule import SCHEDULE, TIMEPOINT, read_schedule, update_schedule
from ketacare.outcomes.timepoints import open_timepoints

WORKLIST = "clinician_worklist"


def _choices(rater: str) -> list[tuple[str, str]]:
    return [(i, d.title) for i, d in INSTRUMENTS.items() if rater in d.rater]


class ScheduleForm(forms.Form):
    patient_instruments = forms.MultipleChoiceField(
        label="Scales patients answer by link",
        choices=_choices("self"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    clinician_instruments = forms.MultipleChoiceField(
        label="Scales on the prescriber's worklist",
        choices=_choices("clinician"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    before_each_induction_session = forms.BooleanField(
        label="Before each induction session", required=False
    )
    weekly_for_weeks = forms.IntegerField(
        label="Weekly, for this many weeks after induction",
        min_value=0,
        max_value=MAX_WEEKLY_FOR_WEEKS,
    )
    monthly_until_months = forms.IntegerField(
        label="Then monthly, up to this many months after induction",
        min_value=0,
        max_value=MAX_MONTHLY_UNTIL_MONTHS,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


@require_http_methods(["GET", "HEAD", "POST"])
@membership_required(Permission.CHANGE_CLINIC, object_type=SCHEDULE, action=Action.UPDATE)
def schedule_page(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """Show the clinic's schedule and save a change (the service checks every field)."""
    schedule = read_schedule(by=membership)
    status = 200
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                update_schedule(by=membership, values=values, version=form.cleaned_data["version"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except Conflict as refused:
                form.add_error(None, refused.detail)
            else:
                messages.success(request, "Schedule saved. It applies to plans made from now on.")
                return HttpResponseRedirect(reverse("outcomes:schedule"))
        status = 400
    else:
        form = ScheduleForm(
            initial={
                "patient_instruments": schedule.patient_instruments,
                "clinician_instruments": schedule.clinician_instruments,
                "before_each_induction_session": schedule.before_each_induction_session,
                "weekly_for_weeks": schedule.weekly_for_weeks,
                "monthly_until_months": schedule.monthly_until_months,
                "version": schedule.version if schedule.pk is not None else None,
            }
        )
    context = {"membership": membership, "form": form, "saved": schedule.pk is not None}
    return render(request, "outcomes/schedule_page.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@membership_required(Permission.CHART_CLINICAL, object_type=WORKLIST)
def worklist(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    """Clinician scales due today or overdue (still answerable), the signed-in prescriber's own
    patients first (`?mine=1` shows only them)."""
    only_mine = request.GET.get("mine") == "1"
    today = timezone.localdate()
    rows = list(open_timepoints(membership.clinic_id, audience=Audience.CLINICIAN, today=today))
    if only_mine:
        rows = [row for row in rows if row.plan.created_by_id == membership.user_id]  # type: ignore[attr-defined]
    rows.sort(key=lambda row: (row.plan.created_by_id != membership.user_id, row.due_on))  # type: ignore[attr-defined]
    record_list_read(
        membership=membership,
        object_type=TIMEPOINT,
        ids=[row.pk for row in rows],
        detail=f"worklist shown={len(rows)} mine={int(only_mine)}",
    )
    items: list[dict[str, Any]] = [
        {
            "row": row,
            "title": INSTRUMENTS[row.instrument].title,
            "overdue_days": (today - row.due_on).days,
            "mine": row.plan.created_by_id == membership.user_id,  # type: ignore[attr-defined]
            "entry_url": reverse("patients:new-scale", args=[row.patient_id])  # type: ignore[attr-defined]
            + f"?instrument={row.instrument}",
        }
        for row in rows
    ]
    context = {"membership": membership, "items": items, "only_mine": only_mine}
    return render(request, "outcomes/worklist_page.html", context)
