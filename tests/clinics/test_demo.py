"""`ketacare demo`: two demo clinics, one login per role, synthetic patients, idempotent."""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse

from ketacare.accounts.services import is_demo_user
from ketacare.audit.models import AuditEvent
from ketacare.clinics.demo import DEMO_CLINICS, DEMO_PASSWORD
from ketacare.clinics.models import Clinic, Membership
from ketacare.demo.outcomes import DEMO_LINK_OBJECT_TYPES
from ketacare.patients.models import Patient
from tests.cli.conftest import run_ketacare

User = get_user_model()
# Runs compared with each other happen on one day: the demo's schedule and its sessions in the
# chairs follow the date, so two runs either side of midnight differ by design.
MORNING = dt.datetime(2026, 11, 11, 11, 0, tzinfo=dt.UTC)
LOGINS = ["demo-admin", "demo-prescriber", "demo-nurse", "demo-coordinator", "demo-auditor"]


def _counts():
    counts = {
        model.__name__: model.objects.count()
        for model in (Clinic, User, Membership, Patient, Patient.history.model)
    }
    # But the questionnaire link the demo e-mails afresh each run (ketacare.demo.outcomes).
    counts["AuditEvent"] = AuditEvent.objects.exclude(
        object_type__in=DEMO_LINK_OBJECT_TYPES
    ).count()
    return counts


def _run_demo():
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db, demo_mode):
    return _run_demo()


def test_the_demo_creates_two_clinics_one_login_per_role_and_synthetic_patients(demo):
    maple, lakeside = (Clinic.objects.get(name=spec.name) for spec in DEMO_CLINICS)
    roles = dict(Membership.objects.filter(clinic=maple).values_list("user__username", "role"))
    assert roles == {
        "demo-admin": "clinic_admin",
        "demo-prescriber": "prescriber",
        "demo-nurse": "nurse",
        "demo-coordinator": "coordinator",
        "demo-auditor": "auditor",
    }
    assert list(
        Membership.objects.filter(clinic=lakeside).values_list("user__username", "role")
    ) == [("demo-lakeside-admin", "clinic_admin")]
    mrns = list(Patient.objects.filter(clinic=maple).order_by("mrn").values_list("mrn", flat=True))
    assert mrns == [f"DEMO-{n:04d}" for n in range(1, 31)]
    assert Patient.objects.filter(clinic=lakeside).count() == 5
    assert maple.latitude is not None and lakeside.longitude is not None
    assert all(
        email.endswith("@example.org") for email in Patient.objects.values_list("email", flat=True)
    )


def test_the_demo_prints_the_logins_and_the_password(demo):
    for username in [*LOGINS, "demo-lakeside-admin"]:
        assert username in demo
    assert f"Password for every demo login: {DEMO_PASSWORD}" in demo
    assert "Created 2 clinics, 6 users, 6 memberships, 35 patients, " in demo
    assert "(s)" not in demo


@time_machine.travel(MORNING, tick=False)
def test_running_the_demo_twice_changes_nothing(db, demo_mode):
    _run_demo()
    before = _counts()
    hashes = dict(User.objects.values_list("username", "password"))
    again = _run_demo()
    assert _counts() == before
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert Clinic.objects.filter(name__endswith="(demo)").count() == 2
    assert "The demo data was already there; nothing changed." in again


@time_machine.travel(MORNING, tick=False)
def test_the_demo_is_the_same_on_every_run(db, demo_mode):
    _run_demo()
    first = list(
        Patient.objects.order_by("mrn").values_list(
            "mrn", "given_name", "family_name", "date_of_birth"
        )
    )
    # A patient the demo registered but charted nothing for (see ketacare.demo.stages).
    Patient.objects.filter(mrn="DEMO-0030").delete()
    _run_demo()  # refills only what is missing, with the same synthetic person
    again = list(
        Patient.objects.order_by("mrn").values_list(
            "mrn", "given_name", "family_name", "date_of_birth"
        )
    )
    assert again == first


def test_each_demo_user_can_log_in_with_the_published_password(demo):
    for username in [*LOGINS, "demo-lakeside-admin"]:
        user = authenticate(RequestFactory().post("/"), username=username, password=DEMO_PASSWORD)
        assert user is not None and user.username == username
        assert user.password.startswith("argon2")
        assert is_demo_user(user)
        validate_password(DEMO_PASSWORD, user)  # the documented password passes the policy


def test_a_demo_user_logs_in_and_lands_on_the_clinics_patients(demo, client):
    response = client.post(
        reverse("accounts:login"),
        {"username": "demo-nurse", "password": DEMO_PASSWORD},
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("web:home")
    assert "Patients of Maple Street Ketamine Clinic (demo)" in body
    assert "30 patients" in body
    assert "DEMO-00" in body and "LAKE-" not in body


def test_demo_creation_is_audited_on_the_command_line_channel(demo):
    # The e-mailed questionnaire link is sent by a background job: the system channel.
    events = AuditEvent.objects.exclude(object_type__in=DEMO_LINK_OBJECT_TYPES)
    assert set(events.values_list("channel", flat=True)) == {"cli"}
    # The demo's 35, and the registrations of the intake requests (none yet).
    assert events.filter(object_type="patient", action="create").count() == 35
    assert events.filter(object_type="clinic", action="create").count() == 2
    assert not events.filter(detail__icontains="@").exists()


def test_the_demo_refuses_to_run_outside_demo_mode(db):
    with pytest.raises(CommandError) as caught:
        call_command("demo", stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert Clinic.objects.count() == 0


def test_force_loads_the_demo_outside_demo_mode(db):
    out = io.StringIO()
    call_command("demo", "--force", stdout=out)
    assert Clinic.objects.count() == 2


def test_the_real_command_exits_2_with_one_sentence_outside_demo_mode():
    result = run_ketacare("demo")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "CommandError: Refusing to load demo logins outside demo mode; "
        "set KETACARE_DEMO=1 (or pass --force)."
    )
