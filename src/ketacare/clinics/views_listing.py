"""The clinic admin's page for the clinic's public listing (`/staff/clinic/<id>/listing/`).

The view parses and calls `ketacare.clinics.listing`; another clinic's id is a 404 before the
role is asked (as everywhere), a role without CHANGE_CLINIC a 403 page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ketacare.audit.models import Action
from ketacare.clinics.listing import ADDRESS_MAX_CHARS, PHONE_MAX_CHARS, listing_for, update_listing
from ketacare.clinics.models import Clinic, Route
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import acting_membership


class ListingForm(forms.Form):
    address_line = forms.CharField(label="Street address", max_length=ADDRESS_MAX_CHARS)
    zip_code = forms.CharField(
        label="ZIP code",
        max_length=10,
        help_text="City, state and the map position are filled in from the ZIP code.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    phone = forms.CharField(
        label="Phone for the public",
        max_length=PHONE_MAX_CHARS,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    routes = forms.MultipleChoiceField(
        label="Treatments offered",
        choices=Route.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accepting_new_patients = forms.BooleanField(label="Accepting new patients", required=False)
    esketamine_rems_certified = forms.BooleanField(
        label="Certified in the esketamine REMS program (healthcare setting)",
        required=False,
        help_text="Esketamine sessions are held at the pre-dose check unless this is ticked.",
    )

    @classmethod
    def of(cls, clinic: Clinic) -> ListingForm:
        return cls(
            initial={
                "address_line": clinic.address_line,
                "zip_code": clinic.zip_code,
                "phone": clinic.phone,
                "routes": clinic.routes,
                "accepting_new_patients": clinic.accepting_new_patients,
                "esketamine_rems_certified": clinic.esketamine_rems_certified,
            }
        )


def _page(
    request: HttpRequest, clinic: Clinic, form: ListingForm, *, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {"clinic": clinic, "form": form}
    return render(request, "clinics/listing_edit.html", context, status=status)


def _forbidden(request: HttpRequest) -> HttpResponse:
    context = {"membership": acting_membership(request), "permission": Permission.CHANGE_CLINIC}
    return render(request, "clinics/forbidden.html", context, status=403)


@require_http_methods(["GET", "HEAD"])
def own_listing(request: HttpRequest) -> HttpResponse:
    """The acting clinic's listing page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = acting_membership(request)
    if membership is None:
        return render(request, "clinics/no_membership.html", status=403)
    url = reverse("staff:clinic-listing", args=[membership.clinic_id])
    return HttpResponseRedirect(url)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_listing(request: HttpRequest, clinic_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    membership = acting_membership(request)
    reading = request.method != "POST"
    try:
        clinic = listing_for(
            membership, clinic_id, action=Action.READ if reading else Action.UPDATE
        )
    except PermissionDenied:
        return _forbidden(request)
    if reading:
        return _page(request, clinic, ListingForm.of(clinic))
    form = ListingForm(request.POST)
    if not form.is_valid():
        return _page(request, clinic, form, status=422)
    try:
        update_listing(membership=membership, clinic_id=clinic_id, **form.cleaned_data)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, clinic, form, status=422)
    messages.success(request, "The clinic's listing was saved.")
    return HttpResponseRedirect(reverse("staff:clinic-listing", args=[clinic_id]))
