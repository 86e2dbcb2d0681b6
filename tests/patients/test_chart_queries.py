"""The chart page reads each section in one query: the same count for 1 row or 30 in every
section (style guide: exact counts at two sizes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from ketacare.clinical.eligibility import CONDITION_CODES
from tests.factories import (
    AllergyFactory,
    AntidepressantTrialFactory,
    AssessmentFactory,
    CareNoteFactory,
    ConditionFactory,
    ConsentFactory,
    MedicationFactory,
    OfficeVitalsFactory,
    WeightMeasurementFactory,
)


def _history(patient, rows: int) -> None:
    now = timezone.now()
    for n in range(rows):
        WeightMeasurementFactory(patient=patient, measured_on=dt.date(2025, 1, 1) + dt.timedelta(n))
        OfficeVitalsFactory(patient=patient, at=now - dt.timedelta(days=n))
        AllergyFactory(patient=patient)
        MedicationFactory(patient=patient, medication_class="benzodiazepine" if n % 2 else "other")
        # One active row per code at most: the rest of the history is resolved.
        ConditionFactory(
            patient=patient,
            code=CONDITION_CODES[n % len(CONDITION_CODES)],
            resolved_on=None if n < len(CONDITION_CODES) else dt.date(2025, 1, 1),
        )
        AntidepressantTrialFactory(patient=patient)
        AssessmentFactory(patient=patient, completed_at=now - dt.timedelta(days=n))
        ConsentFactory(patient=patient)
        first = CareNoteFactory(patient=patient)
        # Every other note has an amendment: versions are read in the same one query.
        if n % 2:
            CareNoteFactory(
                patient=patient, thread_id=first.pk, number=2, supersedes=first, text="amended"
            )


def _count_queries(client, patient, django_assert_num_queries, expected):
    with django_assert_num_queries(expected) as captured:
        response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 200
    return captured


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize(("person", "queries"), [("alice", 19), ("cora", 11)])
def test_the_chart_page_query_count_does_not_grow_with_the_history(
    staff_client, request, patient_a, django_assert_num_queries, rows, person, queries
):
    client = staff_client(request.getfixturevalue(person))
    client.get("/")  # the session's first request does its one-off work (clinic choice)
    _history(patient_a, rows)

    # The audit append is one round trip on PostgreSQL, two statements on SQLite.
    audit_append = int(connection.vendor == "postgresql")
    _count_queries(client, patient_a, django_assert_num_queries, queries - audit_append)
