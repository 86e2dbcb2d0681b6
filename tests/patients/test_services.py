"""The chart's use cases called directly: intake link, optimistic versions, notes never updated,
the consent-current rule, nothing half-saved."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections  # noqa: F401 - connection: skipif
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.patients import services
from ketacare.patients.errors import ChartConflict, StaleVersion
from ketacare.patients.models import CareNote, Patient
from tests.factories import (
    ClinicFactory,
    ConsentFactory,
    MembershipFactory,
    PatientFactory,
    UserFactory,
)


def test_register_patient_keeps_the_intake_request_link(cora):
    patient = services.register_patient(
        by=cora,
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=dt.date(1980, 1, 1),
        sex_at_birth="female",
        intake_request_id=77,
    )

    assert patient.intake_request_id == 77
    event = AuditEvent.objects.get(object_type="patient", action="create")
    assert (event.patient_id, event.detail) == (patient.pk, "intake_request=77")
    assert patient.history.get().history_user_id == cora.user_id


def test_a_generated_mrn_taken_in_a_race_is_drawn_again(cora, clinic_a):
    # Someone registers KC-000001 between our check and our insert.
    real_next = services.patients._next_mrn
    calls = []

    def next_mrn(clinic_id):
        mrn = real_next(clinic_id)
        if not calls:
            PatientFactory(clinic=clinic_a, mrn=mrn)
        calls.append(mrn)
        return mrn

    with mock.patch.object(services.patients, "_next_mrn", side_effect=next_mrn):
        patient = services.register_patient(
            by=cora,
            given_name="A",
            family_name="B",
            date_of_birth=dt.date(1990, 1, 1),
            sex_at_birth="male",
        )

    assert patient.mrn == "KC-000002"
    assert Patient.objects.count() == 2


def test_an_update_whose_version_moved_on_in_between_is_refused(alice, patient_a):
    # given: the competing save lands after we read the patient but before we write
    services.update_patient(by=alice, patient=patient_a, version=1, changes={"phone": "1"})

    # when / then
    with pytest.raises(StaleVersion):
        services.update_patient(by=alice, patient=patient_a, version=1, changes={"phone": "2"})
    patient_a.refresh_from_db()
    assert (patient_a.phone, patient_a.version, patient_a.history.count()) == ("1", 2, 2)


def test_unknown_fields_are_refused_by_name(alice, patient_a):
    with pytest.raises(ValidationError) as caught:
        services.update_patient(by=alice, patient=patient_a, version=1, changes={"clinic_id": 9})

    assert "clinic_id" in caught.value.message_dict


def test_an_auditor_writes_nothing_and_the_refusal_is_audited(audrey, patient_a):
    with pytest.raises(PermissionDenied):
        services.record_weight(by=audrey, patient=patient_a, weight_kg=70)

    assert AuditEvent.objects.filter(
        allowed=False, patient_id=patient_a.pk, detail="role_lacks:chart_clinical"
    ).exists()


def test_an_amendment_adds_a_row_and_never_updates_the_signed_one(nora, patient_a):
    note = services.sign_note(by=nora, patient=patient_a, text="First", title="Visit")
    signed = CareNote.objects.filter(pk=note.pk).values().get()

    amended = services.amend_note(
        by=nora, patient=patient_a, note_id=note.pk, text="Second", reason="fix"
    )

    assert CareNote.objects.filter(pk=note.pk).values().get() == signed
    assert (amended.thread_id, amended.number, amended.supersedes_id) == (note.pk, 2, note.pk)
    assert amended.title == "Visit"
    with pytest.raises(ChartConflict):
        services.amend_note(by=nora, patient=patient_a, note_id=note.pk, text="x", reason="y")


def test_an_amendment_needs_a_reason(nora, patient_a):
    note = services.sign_note(by=nora, patient=patient_a, text="First")

    with pytest.raises(ValidationError) as caught:
        services.amend_note(by=nora, patient=patient_a, note_id=note.pk, text="x", reason=" ")

    assert "reason" in caught.value.message_dict
    assert CareNote.objects.count() == 1


def test_consent_current_reads_the_latest_signature_of_the_treatment_consent(patient_a):
    today = timezone.localdate()
    assert services.consent_current(patient_a) is False
    ConsentFactory(patient=patient_a, document="telehealth")
    assert services.consent_current(patient_a) is False

    ConsentFactory(patient=patient_a, signed_on=today - dt.timedelta(days=30))
    assert services.consent_current(patient_a) is True

    # A later signature that was withdrawn: the latest one decides, so no longer current.
    ConsentFactory(patient=patient_a, signed_on=today, withdrawn_on=today)
    assert services.consent_current(patient_a) is False
    assert services.consent_current(patient_a, on=today - dt.timedelta(days=1)) is False


def test_bad_vitals_name_the_field_without_the_internal_path(nora, patient_a):
    with pytest.raises(ValidationError) as caught:
        services.record_office_vitals(by=nora, patient=patient_a, systolic=90, diastolic=95)

    assert list(caught.value.message_dict) == ["diastolic"]
    assert "pre_dose" not in str(caught.value)


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="real concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_api_edits_of_one_version_at_the_same_moment_one_wins_one_gets_409():
    clinic = ClinicFactory(name="Clinic R")
    editors = [
        MembershipFactory(user=UserFactory(username=f"e{n}"), clinic=clinic, role="coordinator")
        for n in range(2)
    ]
    patient = PatientFactory(clinic=clinic)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            start.wait(timeout=10)
            services.update_patient(
                by=editors[n], patient=patient, version=1, changes={"phone": f"555-000{n}"}
            )
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("conflict")
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == ["conflict", "saved"]
    patient.refresh_from_db()
    assert (patient.version, patient.history.count()) == (2, 2)
