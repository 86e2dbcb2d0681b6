"""Reads compiled once per connection (`ketacare.clinics.compiled`): the rows the queryset would
give, for other ids, without compiling again; a read that would not take the ids is refused."""

import pytest
from django.db import connections

from ketacare.clinics.compiled import CompiledRead, padded
from ketacare.clinics.models import Clinic
from ketacare.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory


def _patients(clinic_id, *patient_ids):
    return (
        Patient.objects.filter(clinic_id=clinic_id, pk__in=patient_ids, is_active=True)
        .order_by("pk")
        .values_list("pk", "clinic_id", "date_of_birth")
    )


def test_a_compiled_read_gives_what_its_queryset_gives_for_other_ids(db, django_assert_num_queries):
    ours, theirs = ClinicFactory(), ClinicFactory()
    a, b = PatientFactory(clinic=ours), PatientFactory(clinic=ours)
    other = PatientFactory(clinic=theirs)
    read = CompiledRead("test.patients.2", Patient, _patients, 3)

    assert read.rows(ours.pk, a.pk, b.pk) == list(_patients(ours.pk, a.pk, b.pk))
    # Converted as the ORM converts (a date, not a string, on SQLite too).
    assert read.rows(ours.pk, a.pk, a.pk) == [(a.pk, ours.pk, a.date_of_birth)]
    # Another clinic's patient is not read with our clinic's id.
    assert read.rows(ours.pk, other.pk, other.pk) == []
    assert read.rows(theirs.pk, other.pk, a.pk) == [(other.pk, theirs.pk, other.date_of_birth)]
    # The fixed parameter (is_active) stayed as built.
    Patient.objects.filter(pk=b.pk).update(is_active=False)
    compiled = connections["default"].__dict__["_ketacare_compiled_reads"]["test.patients.2"]
    with django_assert_num_queries(1):
        rows = read.rows(ours.pk, a.pk, b.pk)
    assert rows == list(_patients(ours.pk, a.pk, b.pk)) == [(a.pk, ours.pk, a.date_of_birth)]
    assert (
        connections["default"].__dict__["_ketacare_compiled_reads"]["test.patients.2"] is compiled
    )


def test_a_compiled_read_takes_exactly_its_ids(db):
    read = CompiledRead("test.patients.2b", Patient, _patients, 3)
    with pytest.raises(TypeError, match="takes 3 ids"):
        read.rows(1, 2)


def test_a_read_that_uses_an_id_twice_is_refused(db):
    def twice(clinic_id):
        return Clinic.objects.filter(pk=clinic_id).exclude(pk=clinic_id).values_list("pk")

    with pytest.raises(RuntimeError, match="appears 2 times"):
        CompiledRead("test.twice", Clinic, twice, 1).rows(1)


def test_a_read_that_drops_an_id_is_refused(db):
    def ignores(clinic_id):
        return Clinic.objects.values_list("pk")

    with pytest.raises(RuntimeError, match="appears 0 times"):
        CompiledRead("test.ignores", Clinic, ignores, 1).rows(1)


@pytest.mark.parametrize(
    ("ids", "chunks"),
    [
        ([], []),
        ([7], [[7]]),
        ([7, 8], [[7, 8, 7, 7]]),
        ([1, 2, 3, 4], [[1, 2, 3, 4]]),
        ([1, 2, 3, 4, 5], [[1, 2, 3, 4, 5] + [1] * 11]),
        (list(range(1, 49)), [list(range(1, 49))]),
        (list(range(1, 50)), [list(range(1, 49)), [49]]),
        (list(range(1, 54)), [list(range(1, 49)), [49, 50, 51, 52, 53] + [49] * 11]),
    ],
)
def test_id_lists_are_padded_to_a_few_lengths_with_their_first_id(ids, chunks):
    assert padded(ids) == chunks
