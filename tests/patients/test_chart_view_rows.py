"""`chart_view` reads each section from a statement compiled once and reused with each patient's
ids: its rows must be those of the scoped ORM read (`section_queryset`), in the same order, for
every patient, and never another patient's."""

from __future__ import annotations

import datetime as dt

from ketacare.patients.queries import CHART_COLUMNS, SECTIONS, chart_view, section_queryset
from tests.factories import CareNoteFactory, ConsentFactory, MedicationFactory, UserFactory
from tests.patients.test_chart_queries import _history

TODAY = dt.date(2026, 6, 15)


def _reference(patient, section: str) -> list[dict]:
    rows = section_queryset(patient, section).values(*CHART_COLUMNS[section])
    renamed = []
    for row in rows:
        if "recorded_by__username" in row:
            row["recorded_by"] = row.pop("recorded_by__username")
        renamed.append(row)
    return renamed


def _shown(view: dict, section: str) -> list[dict]:
    columns = [c.replace("recorded_by__username", "recorded_by") for c in CHART_COLUMNS[section]]
    return [{c: row[c] for c in columns} for row in view[section]]


def test_each_section_has_the_rows_of_the_scoped_read_in_its_order(patient_a, patient_b):
    # Given two patients of two clinics, with histories (recorders on some rows, stop dates in
    # the past and the future, resolved conditions, amended notes)
    _history(patient_a, 4)
    _history(patient_b, 2)
    recorder = UserFactory(username="recorder")
    MedicationFactory(patient=patient_a, name="later", stopped_on=TODAY + dt.timedelta(days=3))
    MedicationFactory(patient=patient_a, name="earlier", stopped_on=TODAY - dt.timedelta(days=3))
    MedicationFactory(patient=patient_a, name="Recorded", recorded_by=recorder)

    for patient in (patient_a, patient_b, patient_a):  # the compiled reads, reused
        # When the chart is read
        view = chart_view(patient, clinical=True, today=TODAY)

        # Then every section is the scoped read's rows, nothing of the other patient
        for section in SECTIONS:
            assert _shown(view, section) == _reference(patient, section), section
            assert view[section], section


def test_a_recorder_is_shown_by_username(patient_a):
    recorder = UserFactory(username="nurse-nora")
    ConsentFactory(patient=patient_a, recorded_by=recorder)
    CareNoteFactory(patient=patient_a, recorded_by=None)

    view = chart_view(patient_a, clinical=True, today=TODAY)

    assert [c["recorded_by"] for c in view["consents"]] == ["nurse-nora"]
    assert [n["recorded_by"] for n in view["notes"]] == [None]


def test_a_coordinator_reads_the_consents_only(patient_a):
    _history(patient_a, 1)

    view = chart_view(patient_a, clinical=False, today=TODAY)

    assert view["sections"] == ["consents"]
    assert "notes" not in view and "medications" not in view
