"""Scoped patient reads: the list, the search and one patient."""

import pytest
from django.core.exceptions import PermissionDenied

from ketacare.audit.models import AuditEvent
from ketacare.clinics.models import Membership
from ketacare.patients.queries import get_patient_for, patients_for
from tests.factories import PatientFactory


@pytest.fixture
def people(clinic_a, clinic_b):
    return {
        "ada": PatientFactory(
            clinic=clinic_a, mrn="A-0001", given_name="Ada", family_name="Lovelace"
        ),
        "alan": PatientFactory(
            clinic=clinic_a, mrn="A-0002", given_name="Alan", family_name="Turing"
        ),
        "grace": PatientFactory(
            clinic=clinic_a, mrn="B-0077", given_name="Grace", family_name="Hopper"
        ),
        # Clinic B's patient shares a name with clinic A's: a search must never reach her.
        "other_ada": PatientFactory(
            clinic=clinic_b, mrn="A-0001", given_name="Ada", family_name="Byron"
        ),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["grace", "ada", "alan"]),
        ("ada", ["ada"]),
        ("ADA", ["ada"]),
        ("lovel", ["ada"]),
        ("a-000", ["ada", "alan"]),
        ("b-0077", ["grace"]),
        ("ada lovelace", ["ada"]),
        ("lovelace ada", ["ada"]),
        ("ada turing", []),
        ("byron", []),
        ("%", []),
        ("_", []),
    ],
)
def test_search_matches_name_or_mrn_ignoring_case_within_the_clinic(alice, people, text, expected):
    found = list(patients_for(alice, search=text))
    assert found == [people[name] for name in expected]


def test_the_outsider_finds_only_their_own_clinics_patients(bob, people):
    assert list(patients_for(bob, search="ada")) == [people["other_ada"]]
    assert list(patients_for(bob, search="lovelace")) == []


def test_no_membership_lists_nothing(people):
    assert list(patients_for(None)) == []


def test_a_role_without_the_read_permission_gets_a_403_and_a_denied_event(alice, patient_a):
    unknown_role = Membership(clinic=alice.clinic, role="janitor", user=alice.user)
    with pytest.raises(PermissionDenied):
        get_patient_for(unknown_role, patient_a.pk)
    event = AuditEvent.objects.get()
    assert (event.allowed, event.detail) == (False, "role_lacks:view_patient")


def test_a_service_may_skip_the_read_event_and_record_its_own(alice, patient_a):
    assert get_patient_for(alice, patient_a.pk, audit_read=False) == patient_a
    assert AuditEvent.objects.count() == 0
