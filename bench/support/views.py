"""The baselines the benchmarks measure the application against (bench only, never in src/).

Every one runs through the whole middleware stack of the settings, like any page.

- `floor_reading`: the write path's floor. The same POST body as the API's reading, parsed and
  inserted as one `Reading` row with the ORM (autocommit: INSERT and COMMIT in one statement),
  answered with the new id. No authentication, no validation, no monitoring rules, no audit
  event: what the framework costs for a one-row write. The ids the real service looks up
  (clinic, patient, recording user) come in the path.
- `audited_floor_reading`: the floor plus what every authenticated, audited write must do
  whatever it writes: the bearer token checked as the API checks it, the INSERT and its audit
  event in one transaction, COMMIT. No session read, no validation, no monitoring rules. The
  part of the API's cost no reading path can lose while it authenticates and audits.
- `empty_page`: a staff page with nothing on it, for a signed-in session (the middleware has
  loaded the session, the user and the authenticator and written the idle-timeout stamp).
- `layout_page`: the site's layout (navigation for the acting role) with an empty body, to show
  how much of a page's time the layout itself takes.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ketacare.accounts.tokens import authenticate_api_token
from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.chair.models import Reading
from ketacare.chair.queries import READING
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import membership_required

VALUE_FIELDS = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate", "moaas", "cadss")
EMPTY_HTML = "<!doctype html><html lang=en><title>empty</title><main></main></html>"
_LAYOUT = engines["django"].from_string(
    '{% extends "web/base.html" %}{% block title %}Empty{% endblock %}'
    "{% block content %}{% endblock %}"
)


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _insert_reading(
    request: HttpRequest, clinic_id: int, patient_id: int, session_id: int, user_id: int
) -> Reading:
    """The request body's values as one `Reading` row, timed now (one ORM INSERT)."""
    values = json.loads(request.body)
    now = timezone.now()
    return Reading.objects.create(
        clinic_id=clinic_id,
        patient_id=patient_id,
        session_id=session_id,
        at=now,
        symptoms=values.get("symptoms", []),
        recorded_by_id=user_id,
        recorded_at=now,
        **{name: values.get(name) for name in VALUE_FIELDS},
    )


@csrf_exempt
@require_POST
def floor_reading(
    request: HttpRequest, clinic_id: int, patient_id: int, session_id: int, user_id: int
) -> HttpResponse:
    reading = _insert_reading(request, clinic_id, patient_id, session_id, user_id)
    return JsonResponse({"id": reading.pk}, status=201)


@csrf_exempt
@require_POST
def audited_floor_reading(
    request: HttpRequest, clinic_id: int, patient_id: int, session_id: int
) -> HttpResponse:
    token = authenticate_api_token(request.headers.get("Authorization", "").removeprefix("Bearer "))
    if token is None:
        return HttpResponse(status=401)
    with transaction.atomic(durable=True):
        reading = _insert_reading(request, clinic_id, patient_id, session_id, token.user_id)
        record_event(
            action=Action.CREATE,
            user=token.user,
            clinic_id=clinic_id,
            object_type=READING,
            object_id=reading.pk,
            patient_id=patient_id,
        )
    return JsonResponse({"id": reading.pk}, status=201)


@require_GET
def empty_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponse(EMPTY_HTML)


@require_GET
@membership_required(Permission.VIEW_PATIENT_LIST, object_type="bench")
def layout_page(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    return HttpResponse(_LAYOUT.render({"membership": membership}, request))
