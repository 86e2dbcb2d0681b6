"""The admin after the penetration test: only GET/HEAD/POST, every read audited, ids only in the
audit trail and logs, changelists that filter only by what they offer and never answer 500."""

from __future__ import annotations

import logging

import pytest
from django.contrib.admin.views.main import ChangeList
from django.db import DataError
from django.urls import reverse

from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event
from ketacare.config.admin_filters import FILTER_REFUSED
from tests.accounts.helpers import confirmed_device
from tests.factories import UserFactory
from tests.web.bodies import NOT_FOUND_BODY

PATIENTS = reverse("admin:patients_patient_changelist")
EVENTS = reverse("admin:audit_auditevent_changelist")
REFUSED = FILTER_REFUSED.encode()
OTHER_METHODS = ["OPTIONS", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND", "FOO"]


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def event_a(alice, patient_a):
    return record_event(
        action=Action.READ,
        membership=alice,
        object_type="patient",
        object_id=patient_a.pk,
        patient_id=patient_a.pk,
    )


def _patient_urls(patient):
    version = patient.history.get().history_id
    return {
        "change": reverse("admin:patients_patient_change", args=[patient.pk]),
        "history": reverse("admin:patients_patient_history", args=[patient.pk]),
        "delete": reverse("admin:patients_patient_delete", args=[patient.pk]),
        "version": reverse("admin:patients_patient_simple_history", args=[patient.pk, version]),
    }


# --- V2: methods ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", OTHER_METHODS)
@pytest.mark.parametrize("view", ["change", "history", "delete", "version"])
def test_any_method_but_get_head_post_is_a_405_that_shows_nothing(
    staff_client, adam, patient_a, view, method
):
    page = staff_client(adam)

    response = page.generic(method, _patient_urls(patient_a)[view])

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert response.content == b"Method not allowed."
    assert not AuditEvent.objects.filter(object_type="patient").exists()


@pytest.mark.parametrize("method", OTHER_METHODS)
@pytest.mark.parametrize("suffix", ["change/", "history/", "delete/"])
def test_the_audit_admin_and_the_membership_admin_refuse_other_methods_too(
    staff_client, adam, nora, event_a, method, suffix
):
    page = staff_client(adam)
    membership_url = reverse("admin:clinics_membership_change", args=[nora.pk])

    for url in (f"{EVENTS}{event_a.pk}/{suffix}", membership_url.replace("change/", suffix)):
        response = page.generic(method, url)
        assert response.status_code == 405
    assert not AuditEvent.objects.filter(actor_user_id=adam.user_id, action=Action.READ).exists()


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("view", ["change", "history", "version"])
def test_get_and_head_of_a_patient_page_are_each_one_audited_read(
    staff_client, adam, patient_a, view, method
):
    response = staff_client(adam).generic(method, _patient_urls(patient_a)[view])

    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="patient")
    assert (event.action, event.patient_id, event.allowed, event.channel) == (
        Action.READ,
        patient_a.pk,
        True,
        "admin",
    )


def test_head_of_the_delete_page_is_an_audited_read(staff_client, root, nora):
    url = reverse("admin:clinics_membership_delete", args=[nora.pk])

    response = staff_client(root).head(url)

    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="membership")
    assert (event.action, event.object_id) == (Action.READ, str(nora.pk))


def test_head_of_an_audit_event_is_an_audited_read(staff_client, adam, event_a):
    response = staff_client(adam).head(f"{EVENTS}{event_a.pk}/change/")

    assert response.status_code == 200
    read = AuditEvent.objects.order_by("-pk").first()
    assert (read.action, read.object_type, read.object_id, read.detail) == (
        Action.READ,
        "audit_report",
        str(event_a.pk),
        "admin_detail",
    )


def test_posting_to_a_history_page_is_a_405_and_unaudited(staff_client, adam, patient_a):
    urls = _patient_urls(patient_a)
    page = staff_client(adam)

    assert page.post(urls["history"]).status_code == 405
    assert not AuditEvent.objects.filter(object_type="patient").exists()


def test_the_405_comes_before_the_csrf_check_and_the_sign_in(client, patient_a):
    response = client.generic("PUT", _patient_urls(patient_a)["change"])

    assert response.status_code == 405


# --- V3: typed text never reaches the audit trail or the log ----------------------------------

TYPED = "Smith John 1980-01-01"


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/patients/patient/{TYPED}/change/",
        f"/admin/patients/patient/{TYPED}/history/",
        f"/admin/patients/patient/{TYPED}/delete/",
        f"/admin/clinics/membership/{TYPED}/change/",
        f"/admin/audit/auditevent/{TYPED}/change/",
    ],
    ids=["patient", "history", "delete", "membership", "audit"],
)
def test_a_typed_object_id_is_recorded_as_non_numeric_not_as_text(staff_client, adam, url, caplog):
    caplog.set_level(logging.INFO, logger="ketacare")

    response = staff_client(adam).get(url)

    assert response.status_code == 404
    assert response.content == NOT_FOUND_BODY
    event = AuditEvent.objects.get(allowed=False)
    assert (event.object_id, event.patient_id, event.detail) == (
        "",
        None,
        "not_found_in_clinic non_numeric_id",
    )
    for row in AuditEvent.objects.values_list("object_id", "detail", "object_type"):
        assert "Smith" not in " ".join(row)
    ketacare_logs = [r.getMessage() for r in caplog.records if r.name.startswith("ketacare")]
    assert ketacare_logs and not any("Smith" in m or "1980" in m for m in ketacare_logs)


def test_a_typed_version_id_of_a_patients_history_is_recorded_as_non_numeric(
    staff_client, adam, patient_a
):
    url = reverse("admin:patients_patient_history", args=[patient_a.pk]) + f"{TYPED}/"

    response = staff_client(adam).get(url)

    assert response.status_code == 404
    event = AuditEvent.objects.get(allowed=False)
    assert (event.object_type, event.object_id, event.patient_id, event.detail) == (
        "patient_version",
        "",
        patient_a.pk,
        "not_found_in_clinic non_numeric_id",
    )


def test_a_numeric_missing_id_is_still_recorded_as_that_id(staff_client, adam):
    response = staff_client(adam).get(reverse("admin:patients_patient_change", args=[987654]))

    assert response.status_code == 404
    event = AuditEvent.objects.get(allowed=False)
    assert (event.object_id, event.patient_id, event.detail) == (
        "987654",
        987654,
        "not_found_in_clinic",
    )


# --- V4: changelist filters -------------------------------------------------------------------

PATIENT_QUERIES = [
    "date_of_birth__year=0",
    "date_of_birth__year=99999999999999999999",
    "date_of_birth__month=99999999999999999999",
    "id__in=99999999999999999999",
    "id__gt=99999999999999999999",
    "pk__in=1,abc",
    "family_name__regex=(",
    "family_name__iregex=(a",
    "family_name=Smith",
    "clinic__id__in=2,abc",
    "created_at__gte=9999-12-31%2023:59:59",
    "email__startswith=%25",
    "date_of_birth__year__gt=abc",
    "version=abc",
    "Smith=1",
    "is_active__regex=(",
    "_to_field=family_name",
]
EVENT_QUERIES = [
    "detail__regex=(",
    "detail__regex=^((.)*)*x",
    "id__in=99999999999999999999",
    "ip_address=abc",
    "patient_id=abc",
    "occurred_at__date=abc",
    "occurred_at__year=0",
    "occurred_at__year=9999",
    "occurred_at__year=10000",
    "occurred_at__year=99999999999999999999",
    "occurred_at__year=2026&occurred_at__month=99999999999999999999",
    "occurred_at__year=2026&occurred_at__month=13",
    "occurred_at__year=2026&occurred_at__month=11&occurred_at__day=99999999999999999999",
    "occurred_at__year=9999&occurred_at__month=12&occurred_at__day=31",
    "occurred_at__year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96",
    "occurred_at__week=3",
    "occurred_at__gte=9999-12-31",
]


@pytest.mark.parametrize("query", PATIENT_QUERIES)
def test_a_patient_list_filter_the_page_does_not_offer_is_a_400(
    staff_client, adam, patient_a, query, caplog
):
    response = staff_client(adam).get(f"{PATIENTS}?{query}")

    assert response.status_code == 400
    assert response.content == REFUSED
    assert not AuditEvent.objects.filter(object_type="patient_list").exists()
    assert not any("Smith" in r.getMessage() or "family" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("query", EVENT_QUERIES)
def test_an_audit_list_filter_the_page_does_not_offer_is_a_400(staff_client, adam, event_a, query):
    response = staff_client(adam).get(f"{EVENTS}?{query}")

    assert response.status_code == 400
    assert response.content == REFUSED


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (PATIENTS, "is_active__exact=1"),
        (PATIENTS, "is_active__exact=0&q=Smith&o=2&p=1"),
        (EVENTS, "action__exact=read&allowed__exact=1&channel__exact=admin"),
        (EVENTS, "occurred_at__year=2026"),
        (EVENTS, "occurred_at__year=2026&occurred_at__month=2&occurred_at__day=28"),
        (EVENTS, "occurred_at__year=9998&occurred_at__month=12&occurred_at__day=31"),
        (EVENTS, "q=99999999999999999999"),
        (reverse("admin:clinics_membership_changelist"), "role__exact=nurse&is_active__exact=1"),
    ],
)
def test_the_filters_the_page_offers_still_work(staff_client, adam, patient_a, event_a, url, query):
    response = staff_client(adam).get(f"{url}?{query}")

    assert response.status_code == 200


def test_an_impossible_date_of_the_hierarchy_is_not_a_500(staff_client, adam, event_a):
    page = staff_client(adam)

    response = page.get(f"{EVENTS}?occurred_at__year=2026&occurred_at__month=2&occurred_at__day=31")

    # Django's own answer to a date that does not exist: back to the list with ?e=1.
    assert response.status_code == 302
    assert page.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/?username__regex=(",
        "/admin/auth/user/?id__in=99999999999999999999",
        "/admin/axes/accessattempt/?username__regex=(",
        "/admin/otp_totp/totpdevice/?key__regex=(",
        "/admin/accounts/apitoken/?prefix__regex=(",
    ],
)
def test_the_admins_of_other_apps_refuse_undeclared_filters_too(staff_client, root, url):
    response = staff_client(root).get(url)

    assert response.status_code == 400
    assert response.content == REFUSED


@pytest.mark.parametrize("error", [OverflowError("big"), ValueError("bad"), DataError("db")])
def test_an_error_while_the_list_is_built_is_a_400_not_a_500(
    staff_client, adam, patient_a, monkeypatch, error
):
    def fail(self, request):
        raise error

    monkeypatch.setattr(ChangeList, "get_results", fail)

    response = staff_client(adam).get(PATIENTS)

    assert response.status_code == 400
    assert response.content == REFUSED


# --- TOTP secrets -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["config", "qrcode"])
@pytest.mark.parametrize("which", ["existing", "missing"])
def test_no_authenticator_secret_page_answers_not_even_for_a_superuser(
    staff_client, root, alice, page, which
):
    device = confirmed_device(alice.user)
    pk = device.pk if which == "existing" else device.pk + 1000
    # django-otp looked the device up before any check: a missing id was a 500.
    response = staff_client(root, raise_request_exception=False).get(
        reverse(f"admin:otp_totp_totpdevice_{page}", args=[pk])
    )

    assert response.status_code == 403
    assert device.key not in response.content.decode()


def test_the_device_page_of_the_admin_does_not_show_the_secret(staff_client, root, alice):
    device = confirmed_device(alice.user)

    response = staff_client(root).get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))

    assert response.status_code == 200
    assert "key" not in response.context["adminform"].form.fields
    assert device.key not in response.content.decode()
