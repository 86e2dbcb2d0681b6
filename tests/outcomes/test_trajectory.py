"""The trajectory of a patient's scale: last of each day, status on hand-computed series, no
baseline, the page (sections, table, status, query count independent of the series' length)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.outcomes.trajectory import OUTCOMES_OBJECT, patient_trajectories
from tests.outcomes.trajectory_helpers import noon, series, stored

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 5)


def _days(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def test_the_last_assessment_of_a_day_is_that_days_score(patient_a):
    stored(patient_a, "phq9", 20, noon(START, 9))
    stored(patient_a, "phq9", 18, noon(START, 17))
    stored(patient_a, "phq9", 12, noon(_days(7)))
    (phq9,) = patient_trajectories(patient_a.pk, patient_a.clinic_id)
    assert [(d.date, d.total) for d in phq9.days] == [(START, 18), (_days(7), 12)]
    # Baseline is the day's last score, 18; 12 is 33.3 % below it: a partial response.
    assert phq9.summary.baseline == 18
    assert phq9.summary.percent_change == -33.3
    assert phq9.summary.status.value == "partial_response"


def test_response_then_remission_with_their_dates(patient_a):
    # PHQ-9 20 -> 14 (-30 %) -> 10 (-50 %: response) -> 4 (<= 4: remission).
    series(patient_a, "phq9", START, [20, 14, 10, 4])
    (phq9,) = patient_trajectories(patient_a.pk, patient_a.clinic_id)
    s = phq9.summary
    assert (s.baseline, s.latest, s.nadir) == (20, 4, 4)
    assert s.percent_change == -80.0
    assert (s.response.met, s.response.date) == (True, _days(14))
    assert (s.remission.met, s.remission.date) == (True, _days(21))
    assert not s.relapse.met
    assert s.status.value == "remission"
    assert phq9.baseline_on == START


def test_relapse_after_remission_on_the_assessment_that_completes_it(patient_a):
    # Remission on day 21 (4); then 12 and 13, 7 days apart, both >= 10: OUT-RELAPSE-PHQ9
    # completes on the second (day 35).
    series(patient_a, "phq9", START, [20, 14, 10, 4, 12, 13])
    (phq9,) = patient_trajectories(patient_a.pk, patient_a.clinic_id)
    s = phq9.summary
    assert (s.relapse.met, s.relapse.date) == (True, _days(35))
    assert s.status.value == "relapse"
    assert s.percent_change == -35.0


def test_each_scale_is_its_own_series_and_other_scales_are_left_out(patient_a):
    series(patient_a, "madrs", START, [34, 16, 9])
    series(patient_a, "phq9", START, [18])
    stored(patient_a, "cadss", 10, noon(START))
    found = patient_trajectories(patient_a.pk, patient_a.clinic_id)
    assert [t.instrument for t in found] == ["madrs", "phq9"]
    madrs = found[0]
    # MADRS 9 <= 10 (OUT-REMISSION-MADRS): remission; 34 -> 16 is 52.9 % down: response.
    assert madrs.summary.status.value == "remission"
    assert madrs.summary.response.date == _days(7)
    # A baseline alone: nothing to compare, no response.
    assert found[1].summary.status.value == "no_response"


def test_no_assessment_no_trajectory(patient_a):
    assert patient_trajectories(patient_a.pk, patient_a.clinic_id) == []


def test_another_clinics_rows_never_join_the_series(patient_a, patient_b):
    series(patient_b, "phq9", START, [20, 2])
    assert patient_trajectories(patient_a.pk, patient_a.clinic_id) == []
    assert patient_trajectories(patient_b.pk, patient_a.clinic_id) == []


# --- the page ---------------------------------------------------------------------------------


def _page(staff_client, person, patient):
    return staff_client(person).get(f"/patients/{patient.pk}/outcomes/")


def test_the_page_shows_chart_table_and_status_and_is_audited(staff_client, alice, patient_a):
    series(patient_a, "phq9", START, [20, 14, 10, 4])
    response = _page(staff_client, alice, patient_a)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert 'id="chart-phq9-title"' in html
    assert html.count("<tr><td><time") == 4
    assert "Remission" in html and "2026-01-26" in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert AuditEvent.objects.filter(
        object_type=OUTCOMES_OBJECT, patient_id=patient_a.pk, action="read", allowed=True
    ).exists()


def test_the_page_says_no_baseline_without_a_scale(staff_client, alice, patient_a):
    html = _page(staff_client, alice, patient_a).content.decode()
    assert "no baseline" in html


def test_roles_without_the_clinical_chart_get_403_and_other_clinics_404(
    staff_client, cora, bob, patient_a
):
    assert _page(staff_client, cora, patient_a).status_code == 403
    assert _page(staff_client, bob, patient_a).status_code == 404


def test_the_chart_page_links_to_outcomes(staff_client, alice, patient_a):
    html = staff_client(alice).get(f"/patients/{patient_a.pk}/").content.decode()
    assert f"/patients/{patient_a.pk}/outcomes/" in html


def _queries(client, patient, count: int) -> int:
    today = timezone.localdate() - dt.timedelta(days=count + 1)
    series(patient, "phq9", today, [12 + (i % 5) for i in range(count)], every=1)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/patients/{patient.pk}/outcomes/").status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_assessments(staff_client, alice, clinic_a):
    from tests.factories import PatientFactory

    client = staff_client(alice)
    few = _queries(client, PatientFactory(clinic=clinic_a), 5)
    many = _queries(client, PatientFactory(clinic=clinic_a), 60)
    assert few == many


def test_an_answer_tied_to_a_timepoint_is_labelled_and_the_baseline_timepoint_is_the_baseline(
    plan,
):
    from ketacare.outcomes.models import Timepoint

    patient = plan.patient
    today = timezone.localdate()
    screening = stored(patient, "phq9", 22, noon(today - dt.timedelta(days=60)))
    baseline = stored(patient, "phq9", 18, noon(today - dt.timedelta(days=36)))
    stored(patient, "phq9", 8, noon(today - dt.timedelta(days=1)))
    timepoints = Timepoint.objects.filter(plan=plan, instrument="phq9")
    assert timepoints.filter(kind="baseline").update(assessment=baseline) == 1
    (phq9,) = patient_trajectories(patient.pk, patient.clinic_id)
    assert [d.timepoint for d in phq9.days] == ["", "Baseline", ""]
    # The screening 22 is before the baseline and not used: 18 -> 8 is 55.6 % down, a response.
    assert phq9.days[0].assessment_id == screening.pk
    assert phq9.baseline_on == phq9.days[1].date
    assert phq9.summary.baseline == 18 and phq9.summary.status.value == "response"
    assert phq9.summary.percent_change == -55.6


@pytest.mark.parametrize(
    ("kind", "sequence", "label"),
    [
        ("baseline", 0, "Baseline"),
        ("before_session", 3, "Before session 3"),
        ("end_of_induction", 6, "End of induction"),
        ("weekly", 4, "Week 4"),
        ("monthly", 6, "Month 6"),
    ],
)
def test_timepoint_labels(kind, sequence, label):
    from ketacare.outcomes.models import Timepoint
    from ketacare.outcomes.trajectory import timepoint_label

    assert timepoint_label(Timepoint(kind=kind, sequence=sequence)) == label
    assert timepoint_label(None) == ""
