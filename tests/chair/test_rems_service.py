"""The REMS form's use case and reads: `mark_rems_submitted` (SUBMIT_REMS_FORM, versioned,
audited), the forms due and submitted, and the form's fields assembled from the chart and the
session (`ketacare.chair.rems_form.rems_form_of`)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from ketacare.audit.models import Action, AuditEvent
from ketacare.chair.models import RemsForm
from ketacare.chair.rems import (
    FormStatus,
    RemsConflict,
    get_form_chair_for,
    get_rems_form_for,
    mark_rems_submitted,
    rems_forms_for,
)
from ketacare.chair.rems_form import rems_form_of
from ketacare.chair.state import load_chair
from ketacare.clinical.adverse import rems_form_due
from tests.chair.rems_data import (
    LOT,
    discharged_session,
    esketamine_plan,
    form_of,
    iv_session,
    session_in_chair,
)
from tests.factories import MedicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinic_a, nora, alice):
    return discharged_session(clinic_a, nora, alice)


# --- marking a form submitted --------------------------------------------------------------


def test_a_nurse_marks_the_form_submitted_with_who_and_when(session, nora):
    form = form_of(session)
    when = timezone.now()

    marked = mark_rems_submitted(form=form, version=form.version, by=nora, now=when)

    stored = RemsForm.objects.get(pk=form.pk)
    assert (stored.submitted_at, stored.submitted_by_id, stored.version) == (when, nora.user_id, 2)
    assert (marked.submitted_at, marked.version) == (when, 2)
    event = AuditEvent.objects.order_by("pk").last()
    assert (event.action, event.object_type, event.object_id) == (
        "update",
        "rems_form",
        str(form.pk),
    )
    assert event.patient_id == session.patient_id and event.allowed
    assert event.detail.startswith(f"submitted session={session.pk} days_left=")


@pytest.mark.parametrize("person", ["adam", "alice", "nora"])
def test_admin_prescriber_and_nurse_may_mark_it(request, session, person):
    form = form_of(session)

    mark_rems_submitted(form=form, version=1, by=request.getfixturevalue(person))

    assert RemsForm.objects.get(pk=form.pk).submitted_at is not None


@pytest.mark.parametrize("person", ["cora", "audrey"])
def test_a_coordinator_or_auditor_is_refused_and_audited(request, session, person):
    member = request.getfixturevalue(person)
    form = form_of(session)

    with pytest.raises(PermissionDenied):
        mark_rems_submitted(form=form, version=1, by=member)

    assert RemsForm.objects.get(pk=form.pk).submitted_at is None
    denied = AuditEvent.objects.filter(allowed=False, actor_user_id=member.user_id).get()
    assert denied.detail.startswith("role_lacks:submit_rems_form")


def test_a_stale_version_is_a_conflict_and_changes_nothing(session, nora, alice):
    form = form_of(session)
    RemsForm.objects.filter(pk=form.pk).update(version=2)

    with pytest.raises(RemsConflict) as conflict:
        mark_rems_submitted(form=form, version=1, by=nora)

    assert conflict.value.code == "stale_version"
    assert RemsForm.objects.get(pk=form.pk).submitted_at is None
    assert not AuditEvent.objects.filter(action="update", object_type="rems_form").exists()


def test_a_form_already_marked_is_a_conflict(session, nora, alice):
    form = form_of(session)
    mark_rems_submitted(form=form, version=1, by=nora)
    fresh = RemsForm.objects.get(pk=form.pk)

    with pytest.raises(RemsConflict) as conflict:
        mark_rems_submitted(form=fresh, version=fresh.version, by=alice)

    assert conflict.value.code == "already_submitted"
    assert RemsForm.objects.get(pk=form.pk).submitted_by_id == nora.user_id


def test_another_clinics_form_is_never_marked(session, bob):
    form = form_of(session)

    with pytest.raises(Http404):
        mark_rems_submitted(form=form, version=1, by=bob)
    with pytest.raises(Http404):
        get_rems_form_for(bob, form.pk)

    assert RemsForm.objects.get(pk=form.pk).submitted_at is None
    assert AuditEvent.objects.filter(actor_user_id=bob.user_id, allowed=False).count() == 2


# --- the lists -----------------------------------------------------------------------------


def test_due_lists_unsubmitted_forms_earliest_deadline_first_and_submitted_latest_first(
    clinic_a, clinic_b, nora, alice, bob
):
    today = timezone.localdate()
    later = discharged_session(clinic_a, nora, alice, day=today - dt.timedelta(days=1))
    earlier = discharged_session(clinic_a, nora, alice, day=today - dt.timedelta(days=5))
    done = discharged_session(clinic_a, nora, alice, submitted=True)
    discharged_session(clinic_b, bob, bob)

    due = list(rems_forms_for(nora, FormStatus.DUE))
    submitted = list(rems_forms_for(nora, FormStatus.SUBMITTED))

    assert [f.session_id for f in due] == [earlier.pk, later.pk]
    assert [f.due_on for f in due] == [rems_form_due(earlier.date), rems_form_due(later.date)]
    assert [f.session_id for f in submitted] == [done.pk]


def test_a_coordinator_lists_nothing(session, cora):
    assert list(rems_forms_for(cora, FormStatus.DUE)) == []


# --- the form's fields ---------------------------------------------------------------------


def test_the_form_is_filled_from_the_chart_and_the_session(clinic_a, session, nora, alice):
    MedicationFactory(patient=session.patient, name="Lorazepam", medication_class="benzodiazepine")
    MedicationFactory(patient=session.patient, name="Sertraline", medication_class="antidepressant")
    MedicationFactory(
        patient=session.patient,
        name="Oxycodone",
        medication_class="opioid",
        stopped_on=session.date - dt.timedelta(days=30),
    )
    nora.user.first_name, nora.user.last_name = "Nora", "Nightingale"
    nora.user.save()

    form = rems_form_of(load_chair(session.pk, clinic_a.pk), clinic=clinic_a)

    patient = session.patient
    assert form.patient_name == f"{patient.given_name} {patient.family_name}"
    assert (form.date_of_birth, form.sex) == (dt.date(1981, 5, 6), "Female")
    assert (form.first_treatment, form.enrolled) == (True, True)
    taking = {line.code: (line.present, line.names) for line in form.medications}
    assert taking["benzodiazepine"] == (True, ("Lorazepam",))
    assert taking["opioid"] == (False, ())  # stopped before the session
    assert list(taking) == ["benzodiazepine", "other_sedative", "stimulant", "maoi", "opioid"]
    assert (form.provider_name, form.provider_email) == ("Nora Nightingale", nora.user.email)
    assert (form.setting_name, form.provider_phone) == ("Clinic A", clinic_a.phone)
    assert form.setting_address == "1 Main Street, Boston, MA 02115"
    assert (form.dose_choice, form.devices, form.lot_number) == ("84", 3, LOT)
    assert form.duration_min == 125 >= form.minimum_min == 120
    assert form.ready_without_minimum_min == 95
    assert (form.vitals_ok_before, form.vitals_ok_at_end) == (True, True)
    assert str(form.bp_before) == "128/80 mmHg"
    assert (str(form.bp_forty_min), form.bp_forty_min.minutes_after_dose) == ("152/94 mmHg", 40)
    assert (str(form.bp_at_end), form.bp_at_end.minutes_after_dose) == ("128/82 mmHg", 118)
    # MOAA/S 4 (a drop from 5), CADSS 12, SpO2 97-98 and respiratory rate 14.
    assert (form.sedation, form.dissociation, form.respiratory_depression) == (True, True, False)
    (event,) = form.adverse_events
    assert (event.term, event.grade, event.serious) == ("Nausea", 1, False)
    assert form.due_on == rems_form_due(session.date)


def test_a_later_session_of_the_same_course_is_not_the_first_treatment(clinic_a, nora, alice):
    plan = esketamine_plan(clinic_a, alice)
    today = timezone.localdate()
    discharged_session(clinic_a, nora, alice, plan=plan, day=today - dt.timedelta(days=4))
    second = discharged_session(
        clinic_a, nora, alice, plan=plan, day=today - dt.timedelta(days=1), number=2
    )

    form = rems_form_of(load_chair(second.pk, clinic_a.pk), clinic=clinic_a)

    assert form.first_treatment is False


def test_a_missed_40_minute_check_and_a_56_mg_dose_show_as_such(clinic_a, nora, alice):
    session = discharged_session(
        clinic_a, nora, alice, plan=esketamine_plan(clinic_a, alice, dose_mg=56)
    )
    session.readings.filter(at__lte=session.dose.at + dt.timedelta(minutes=50)).update(
        at=session.dose.at + dt.timedelta(minutes=55)
    )

    form = rems_form_of(load_chair(session.pk, clinic_a.pk), clinic=clinic_a)

    assert form.bp_forty_min is None
    assert form.dose_choice == "56"


# --- which sessions have a form ------------------------------------------------------------


def test_an_iv_session_has_no_form(clinic_a, nora, alice):
    session = iv_session(clinic_a, nora, alice)

    with pytest.raises(Http404):
        get_form_chair_for(nora, session.pk)

    denied = AuditEvent.objects.filter(allowed=False).get()
    assert denied.detail.startswith("no_rems_form route=iv_ketamine")


def test_a_session_still_at_the_chair_has_no_form_yet(clinic_a, nora, alice):
    session = session_in_chair(esketamine_plan(clinic_a, alice), nora)

    with pytest.raises(RemsConflict) as conflict:
        get_form_chair_for(nora, session.pk, action=Action.EXPORT)

    assert conflict.value.code == "not_discharged"
    assert "made at discharge" in conflict.value.detail


def test_the_form_of_another_clinic_is_404_and_a_coordinator_403(session, bob, cora):
    with pytest.raises(Http404):
        get_form_chair_for(bob, session.pk)
    with pytest.raises(PermissionDenied):
        get_form_chair_for(cora, session.pk)


@time_machine.travel(dt.datetime(2026, 12, 10, 15, 0, tzinfo=dt.UTC), tick=False)
def test_days_left_counts_to_the_deadline(session):
    from ketacare.chair.rems import days_left

    form = form_of(session)
    form.due_on = dt.date(2026, 12, 10)
    assert days_left(form, timezone.localdate()) == 0
    form.due_on = dt.date(2026, 12, 9)
    assert days_left(form, timezone.localdate()) == -1


def test_a_discharged_session_without_a_form_has_none_to_give(session, nora):
    RemsForm.objects.filter(session=session).delete()

    with pytest.raises(Http404):
        get_form_chair_for(nora, session.pk)

    denied = AuditEvent.objects.filter(allowed=False).get()
    assert denied.detail == f"no_rems_form session={session.pk}"
