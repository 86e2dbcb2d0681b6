"""Clinic outcomes computed by the database, on a small clinic whose numbers are worked by hand.

Every patient's course: a plan with one given session, a baseline and an end-of-induction PHQ-9
tied to their timepoints (end of induction on END), then answers `days` after END.

| patient | baseline | end | response | remission | follow-up (day: total)     | relapse  |
| p1      | 20       | 10  | yes 50 % | no        | 7:8 14:12 18:12 21:13      | day 21   |
| p2      | 20       | 11  | no 45 %  | no        |                            |          |
| p3      | 12       | 4   | yes      | yes       | 7:3 30:5                   | cens. 30 |
| p4      | 27       | 14  | no (13 of 13.5) | no |                            |          |
| p5      | 16 *     | 8   | yes      | no        | 7:10 10:11 12:9 20:10 26:10 | day 26  |
| p6      | 27       | 12  | yes      | no        | 7:12 14:12 (never below 10) | cens. 14 |
| p7      | (no end-of-induction answer)                                         |
| p8 esk  | 20       | 2   | yes      | yes       |                            | cens. 0  |
| p11     | two plans: the earlier (20 -> 18) counts, not the later (20 -> 2)     |
* p5 has no baseline timepoint: the last PHQ-9 on or before the first session (16), not the 25
  answered two days after it.

All routes: 9 treated, n 8, response 5, remission 2. Relapse among the 5 responders: Kaplan-Meier
1 at day 0, 2/3 at day 21 (3 at risk), 1/3 at day 26 (2 at risk), median 26.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketacare.audit.models import AuditEvent
from ketacare.outcomes.clinic_outcomes import (
    OutcomeFilters,
    clinic_outcomes,
    compute_clinic_outcomes,
    read_filters,
)
from ketacare.outcomes.models import Timepoint
from ketacare.treatment.models import TreatmentPlan
from tests.factories import (
    AssessmentFactory,
    PatientFactory,
    TreatmentPlanFactory,
    TreatmentSessionFactory,
)

pytestmark = pytest.mark.django_db

END = dt.date(2026, 1, 20)
FIRST_SESSION = dt.date(2026, 1, 5)
RANGE = OutcomeFilters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC)


def _answer(patient: Any, day: dt.date, total: int) -> Any:
    return AssessmentFactory(
        patient=patient, clinic=patient.clinic, total=total, completed_at=_at(day)
    )


def _timepoint(plan: Any, kind: str, answer: Any) -> None:
    Timepoint.objects.create(
        clinic=plan.clinic,
        patient=plan.patient,
        plan=plan,
        kind=kind,
        instrument="phq9",
        audience="patient",
        due_on=answer.completed_at.date(),
        assessment=answer,
    )


def course(
    clinic: Any,
    *,
    baseline: int | None,
    end: int | None,
    follow: tuple[tuple[int, int], ...] = (),
    route: str = "iv_ketamine",
    patient: Any = None,
    first_session: dt.date = FIRST_SESSION,
    end_day: dt.date = END,
    status: str = "discharged",
) -> Any:
    patient = patient or PatientFactory(clinic=clinic)
    plan = TreatmentPlanFactory(patient=patient, route=route, start=first_session)
    TreatmentSessionFactory(plan=plan, number=1, date=first_session, status=status)
    if baseline is not None:
        _timepoint(plan, "baseline", _answer(patient, first_session, baseline))
    if end is not None:
        _timepoint(plan, "end_of_induction", _answer(patient, end_day, end))
    for days, total in follow:
        _answer(patient, end_day + dt.timedelta(days=days), total)
    return patient


@pytest.fixture
def small_clinic(clinic_a: Any, clinic_b: Any) -> Any:
    course(clinic_a, baseline=20, end=10, follow=((7, 8), (14, 12), (18, 12), (21, 13)))
    course(clinic_a, baseline=20, end=11)
    course(clinic_a, baseline=12, end=4, follow=((7, 3), (30, 5)))
    course(clinic_a, baseline=27, end=14)
    p5 = PatientFactory(clinic=clinic_a)
    _answer(p5, FIRST_SESSION - dt.timedelta(days=1), 16)
    _answer(p5, FIRST_SESSION + dt.timedelta(days=2), 25)
    follow5 = ((7, 10), (10, 11), (12, 9), (20, 10), (26, 10))
    course(clinic_a, baseline=None, end=8, follow=follow5, patient=p5)
    course(clinic_a, baseline=27, end=12, follow=((7, 12), (14, 12)))
    course(clinic_a, baseline=20, end=None)
    course(clinic_a, baseline=20, end=2, route="esketamine_nasal")
    # Not treated: sessions not given, or given outside the dates.
    course(clinic_a, baseline=20, end=2, status="scheduled")
    course(clinic_a, baseline=20, end=2, first_session=dt.date(2025, 11, 3))
    # Two plans: the earlier one counts.
    p11 = course(clinic_a, baseline=20, end=18, first_session=dt.date(2026, 1, 2))
    TreatmentPlan.objects.filter(patient=p11).update(status="ended")  # one active plan each
    course(
        clinic_a,
        baseline=20,
        end=2,
        patient=p11,
        first_session=dt.date(2026, 2, 2),
        end_day=dt.date(2026, 2, 20),
    )
    # Another clinic's responders never count.
    for _ in range(3):
        course(clinic_b, baseline=20, end=2, follow=((7, 15), (14, 15)))
    return clinic_a


def test_every_route_counts_as_worked_by_hand(small_clinic: Any) -> None:
    result = compute_clinic_outcomes(small_clinic.pk, RANGE)
    assert result.patients_treated == 9
    assert (result.response.n, result.response.k) == (8, 5)
    assert (result.remission.n, result.remission.k) == (8, 2)
    km = result.relapse
    assert (km.followed, km.events, km.median_days) == (5, 2, 26)
    assert [(p.day, round(p.survival, 6)) for p in km.curve] == [
        (0, 1.0),
        (21, round(2 / 3, 6)),
        (26, round(1 / 3, 6)),
        (30, round(1 / 3, 6)),
    ]
    assert result.benchmarks == ()  # no trial reports PHQ-9, and no single route was asked


def test_one_route(small_clinic: Any) -> None:
    filters = OutcomeFilters(RANGE.date_from, RANGE.date_to, "iv_ketamine")
    result = compute_clinic_outcomes(small_clinic.pk, filters)
    assert result.patients_treated == 8
    assert (result.response.n, result.response.k, result.remission.k) == (7, 4, 1)
    assert (result.relapse.followed, result.relapse.events) == (4, 2)
    esketamine = OutcomeFilters(RANGE.date_from, RANGE.date_to, "esketamine_nasal")
    only = compute_clinic_outcomes(small_clinic.pk, esketamine)
    assert (only.patients_treated, only.response.k, only.remission.k) == (1, 1, 1)
    assert [(p.day, p.survival) for p in only.relapse.curve] == [(0, 1.0)]


def test_an_empty_range_has_no_rates(small_clinic: Any) -> None:
    empty = OutcomeFilters(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    document = compute_clinic_outcomes(small_clinic.pk, empty).as_document()
    assert document["patients_treated"] == 0
    assert document["response"] == {"n": 0, "k": 0, "rate": None, "ci95": None}
    assert document["relapse"] == {
        "responders": 0,
        "events": 0,
        "median_days": None,
        "curve": [{"day": 0, "survival": 1.0, "low": 1.0, "high": 1.0}],
    }


def test_the_other_clinic_sees_only_its_own(small_clinic: Any, clinic_b: Any) -> None:
    result = compute_clinic_outcomes(clinic_b.pk, RANGE)
    assert (result.patients_treated, result.response.k, result.remission.k) == (3, 3, 3)
    # Their answers of 15 at days 7 and 14 follow a remission of 2: relapse at day 14.
    assert (result.relapse.events, result.relapse.median_days) == (3, 14)


def test_madrs_relapse_needs_the_days_window(clinic_a: Any) -> None:
    """OUT-RELAPSE-MADRS: 2 answers >= 22 between 5 and 15 days apart."""
    patient = PatientFactory(clinic=clinic_a)
    plan = TreatmentPlanFactory(patient=patient, start=FIRST_SESSION)
    TreatmentSessionFactory(plan=plan, number=1, date=FIRST_SESSION, status="dosed")
    for kind, day, total in (("baseline", FIRST_SESSION, 34), ("end_of_induction", END, 8)):
        answer = AssessmentFactory(
            patient=patient, clinic=clinic_a, instrument="madrs", total=total, completed_at=_at(day)
        )
        Timepoint.objects.create(
            clinic=clinic_a,
            patient=patient,
            plan=plan,
            kind=kind,
            instrument="madrs",
            audience="clinician",
            due_on=day,
            assessment=answer,
        )
    # 22 on day 10 and 22 on day 30 (20 days apart: too far), then 23 on day 42 (12 days).
    for days, total in ((10, 22), (30, 22), (42, 23)):
        AssessmentFactory(
            patient=patient,
            clinic=clinic_a,
            instrument="madrs",
            total=total,
            completed_at=_at(END + dt.timedelta(days=days)),
        )
    filters = OutcomeFilters(RANGE.date_from, RANGE.date_to, "iv_ketamine", "madrs")
    result = compute_clinic_outcomes(clinic_a.pk, filters)
    assert (result.response.k, result.remission.k) == (1, 1)
    assert (result.relapse.events, result.relapse.median_days) == (1, 42)
    # IV ketamine by MADRS: ELEKT-D's response and KetECT's remission (<= 10, the default).
    assert [label.split(":")[0] for _m, label, _r, _s in result.benchmarks] == [
        "ELEKT-D",
        "KetECT",
    ]


def test_the_read_is_for_prescribers_and_admins_and_audited(
    small_clinic: Any, alice: Any, adam: Any, nora: Any
) -> None:
    clinic_outcomes(alice, RANGE)
    clinic_outcomes(adam, RANGE)
    with pytest.raises(PermissionDenied):
        clinic_outcomes(nora, RANGE)
    events = AuditEvent.objects.filter(object_type="clinic_outcomes").order_by("pk")
    assert [(e.action, e.allowed) for e in events] == [
        ("read", True),
        ("read", True),
        ("read", False),
    ]
    assert "treated=9 n=8" in events[0].detail


@pytest.mark.parametrize(
    ("asked", "field"),
    [
        ({"route": "intranasal"}, "route"),
        ({"scale": "hamd"}, "scale"),
        ({"date_from": dt.date(2026, 12, 2)}, "from"),
        ({"date_to": dt.date(2026, 12, 2)}, "to"),
        ({"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 2, 1)}, "to"),
        ({"date_from": dt.date(1890, 3, 1)}, "from"),
    ],
)
def test_bad_filters_name_their_field(asked: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {"route": None, "date_from": None, "date_to": None, "scale": None}
    with pytest.raises(ValidationError) as caught:
        read_filters(**{**values, **asked}, today=dt.date(2026, 12, 1))
    assert list(caught.value.message_dict) == [field]


def test_default_filters_are_the_year_to_today() -> None:
    filters = read_filters(
        route="", date_from=None, date_to=None, scale=None, today=dt.date(2026, 12, 1)
    )
    assert filters == OutcomeFilters(dt.date(2025, 12, 2), dt.date(2026, 12, 1), None, "phq9")
