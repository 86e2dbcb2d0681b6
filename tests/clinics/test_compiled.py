"""Reads compiled once per connection (`ketacare.clinics.compiled`): the rows the queryset would
give, for other ids, without compiling again; a read that would not take the ids is refused."""

from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError

from ketacare.clinics.compiled import CompiledInsert, CompiledRead, padded
from ketacare.clinics.models import Clinic, Membership, Role
from ketacare.patients.models import Patient
from tests.factories import ClinicFactory, MembershipFactory, PatientFactory


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


def _memberships_of_user(user_id, clinic_id):
    return (
        Membership.objects.select_related("clinic", "user")
        .filter(user_id=user_id, clinic_id=clinic_id)
        .annotate(clinic_label=F("clinic__name"))
        .order_by("pk")
    )


def test_a_compiled_model_read_gives_the_instances_its_queryset_gives(db):
    clinic, other = ClinicFactory(), ClinicFactory()
    nurse = MembershipFactory(clinic=clinic, role=Role.NURSE)
    MembershipFactory(clinic=other, user=nurse.user, role=Role.PRESCRIBER)
    read = CompiledRead("test.memberships", Membership, _memberships_of_user, 2)

    for _ in range(2):  # compiled on the first run, only run on the second
        (found,) = read.objects(nurse.user_id, clinic.pk)
        (expected,) = _memberships_of_user(nurse.user_id, clinic.pk)
        assert type(found) is Membership
        assert (found.pk, found.role, found.clinic_label) == (nurse.pk, "nurse", clinic.name)
        assert found.clinic_label == expected.clinic_label
        # The joined rows came with it (select_related), as model instances, no query.
        assert found.clinic == expected.clinic and found.user == expected.user
        assert found._state.adding is False and found._state.db == "default"
    assert read.objects(nurse.user_id, -1) == []
    with pytest.raises(TypeError, match="values read"):
        CompiledRead("test.patients.values", Patient, _patients, 3).objects(1, 2, 3)


def test_a_compiled_read_takes_text_where_told(db):
    clinic = ClinicFactory(name="North Shore")
    read = CompiledRead(
        "test.clinic_by_slug",
        Clinic,
        lambda name: Clinic.objects.filter(name=name).values_list("pk"),
        1,
        text=frozenset({0}),
    )
    assert read.rows("North Shore") == [(clinic.pk,)]
    assert read.rows("South Shore") == []


@pytest.mark.django_db(transaction=True)
def test_a_compiled_read_that_locks_runs_only_in_a_transaction():
    clinic = ClinicFactory()
    read = CompiledRead(
        "test.locked_clinic",
        Clinic,
        lambda clinic_id: Clinic.objects.select_for_update().filter(pk=clinic_id),
        1,
    )
    with transaction.atomic():
        assert read.objects(clinic.pk) == [clinic]
    if connections["default"].features.has_select_for_update:
        with pytest.raises(TransactionManagementError, match="in a transaction"):
            read.objects(clinic.pk)


def test_a_compiled_insert_stores_the_row_as_save_would(db, django_assert_num_queries):
    columns = [field.name for field in Clinic._meta.concrete_fields if not field.primary_key]
    insert = CompiledInsert("test.clinic.insert", Clinic, columns)

    def clinic(name, latitude):
        return Clinic(
            name=name, address_line="1 Main St", city="Boston", state="MA", zip_code="02115",
            phone="617-555-0100", latitude=Decimal(latitude), longitude=Decimal("-71.1"),
            offers_esketamine_nasal=True,
        )  # fmt: skip

    first, second = clinic("North", "42.340000"), clinic("South", "42.250000")
    insert.insert(first)
    with django_assert_num_queries(1):
        insert.insert(second)
    assert first.pk != second.pk
    assert first._state.adding is False and first._state.db == "default"
    stored = Clinic.objects.get(pk=second.pk)
    assert (stored.name, stored.latitude, stored.offers_esketamine_nasal) == (
        "South",
        Decimal("42.250000"),
        True,
    )
    # Each field's pre_save ran, as in save(): auto_now_add filled the creation time.
    assert stored.created_at is not None and stored.created_at == second.created_at
