"""The intake request pages of the public side: the form (also part of the clinic's page) and
the confirmation. No sign-in; nothing the visitor typed is logged (ketacare.public.intake)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from ketacare.api.errors import Conflict
from ketacare.clinics.models import Clinic
from ketacare.intake.forms import add_service_errors
from ketacare.patients.models import PreferredContact
from ketacare.public.forms_intake import PublicIntakeForm
from ketacare.public.intake import RETRY_AFTER_SECONDS, RateLimited, submit_public_request
from ketacare.web.client_ip import client_ip

REFERENCE_SHAPE = re.compile(r"REQ-[0-9A-Z]{4}-[0-9A-Z]{4}")

# How the coordinator will reach the person, for the confirmation's sentence.
CONTACT_WORDS = {
    PreferredContact.PHONE: "phone",
    PreferredContact.EMAIL: "e-mail",
    PreferredContact.TEXT: "text message",
}


def _form_page(
    request: HttpRequest, clinic: Clinic, form: PublicIntakeForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "public/intake_page.html",
        {"clinic": clinic, "intake_form": form},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def request_form(request: HttpRequest, clinic_id: int) -> HttpResponse:
    """GET: the form on a page of its own (`?self_check=` carries a self-check to attach).
    POST: send it; on success to the confirmation, else the form again naming the fields."""
    clinic = get_object_or_404(Clinic, pk=clinic_id)
    if request.method != "POST":
        initial = {"self_check": request.GET.get("self_check", "")}
        return _form_page(request, clinic, PublicIntakeForm(initial=initial))
    form = PublicIntakeForm(request.POST)
    if not form.is_valid():
        return _form_page(request, clinic, form, status=422)
    try:
        submitted = submit_public_request(
            clinic.pk,
            form.submission(),
            client_ip(request),
            site_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _form_page(request, clinic, form, status=422)
    except Conflict as refused:
        form.add_error(None, refused.detail)
        return _form_page(request, clinic, form, status=409)
    except RateLimited as refused:
        form.add_error(None, refused.detail)
        response = _form_page(request, clinic, form, status=429)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    query = urlencode({"reference": submitted.reference, "by": submitted.preferred_contact})
    return HttpResponseRedirect(f"{reverse('public:intake-sent', args=[clinic.pk])}?{query}")


@require_http_methods(["GET", "HEAD"])
def request_sent(request: HttpRequest, clinic_id: int) -> HttpResponse:
    """What happens next, and when. The reference and the contact method come in the address
    (neither is personal); anything else there is ignored."""
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        raise Http404("No such clinic.")
    reference = request.GET.get("reference", "")
    by = request.GET.get("by", "")
    return render(
        request,
        "public/intake_sent.html",
        {
            "clinic": clinic,
            "reference": reference if REFERENCE_SHAPE.fullmatch(reference) else "",
            "contact_word": CONTACT_WORDS.get(by, ""),  # type: ignore[call-overload]
        },
    )
