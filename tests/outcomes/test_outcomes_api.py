"""GET /patients/{id}/outcomes?instrument=I (contracts.md 2.4): the `ketacare outcomes` document
over the patient's assessments of I (the last of each day) plus `assessments`; 422 naming
`instrument`; 404 across clinics; 403 without the clinical chart; the read audited."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.clinical.outcomes import evaluate_outcomes, parse_outcome_series
from tests.outcomes.trajectory_helpers import noon, series, stored

pytestmark = pytest.mark.django_db

URL = "/api/v1/patients/{}/outcomes"
START = dt.date(2026, 1, 5)
CLI_KEYS = {
    "instrument", "baseline", "latest", "nadir", "percent_change", "response", "remission",
    "relapse", "status",
}  # fmt: skip


def test_the_answer_is_the_cli_document_plus_the_assessments(api, alice, patient_a):
    stored(patient_a, "madrs", 36, noon(START, 9))
    stored(patient_a, "madrs", 34, noon(START, 16))  # the day's last: the baseline
    series(patient_a, "madrs", START + dt.timedelta(days=7), [20, 16, 9])
    response = api(alice, "get", URL.format(patient_a.pk), instrument="madrs")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == CLI_KEYS | {"assessments"}
    assert body["assessments"] == [
        {"date": "2026-01-05", "total": 34},
        {"date": "2026-01-12", "total": 20},
        {"date": "2026-01-19", "total": 16},
        {"date": "2026-01-26", "total": 9},
    ]
    # Hand-computed: 34 -> 16 is 52.9 % down (response on 01-19); 9 <= 10 remission on 01-26;
    # (9 - 34) / 34 = -73.5 %.
    assert body["baseline"] == 34 and body["latest"] == 9 and body["nadir"] == 9
    assert body["percent_change"] == -73.5
    assert body["response"] == {"met": True, "date": "2026-01-19"}
    assert body["remission"] == {"met": True, "date": "2026-01-26"}
    assert body["relapse"] == {"met": False, "date": None}
    assert body["status"] == "remission"
    # The same serializer as `ketacare outcomes` over the same series.
    cli = evaluate_outcomes(
        parse_outcome_series({"instrument": "madrs", "assessments": body["assessments"]})
    ).as_document()
    assert {key: body[key] for key in CLI_KEYS} == cli


def test_no_assessment_is_no_baseline_never_a_guess(api, alice, patient_a):
    series(patient_a, "phq9", START, [20, 8])
    body = api(alice, "get", URL.format(patient_a.pk), instrument="gad7").json()
    assert body == {
        "instrument": "gad7",
        "baseline": None,
        "latest": None,
        "nadir": None,
        "percent_change": None,
        "response": {"met": False, "date": None},
        "remission": {"met": False, "date": None},
        "relapse": {"met": False, "date": None},
        "status": "no_baseline",
        "assessments": [],
    }


@pytest.mark.parametrize("params", [{"instrument": "cadss"}, {"instrument": "PHQ9"}, {}])
def test_an_instrument_without_outcome_definitions_is_a_422_naming_it(
    api, alice, patient_a, params
):
    response = api(alice, "get", URL.format(patient_a.pk), **params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "instrument"


def test_other_clinics_roles_without_the_chart_and_the_audit(api, alice, cora, bob, patient_a):
    series(patient_a, "phq9", START, [20, 8])
    assert api(bob, "get", URL.format(patient_a.pk), instrument="phq9").status_code == 404
    assert api(cora, "get", URL.format(patient_a.pk), instrument="phq9").status_code == 403
    assert api(alice, "get", URL.format(patient_a.pk), instrument="phq9").status_code == 200
    read = AuditEvent.objects.get(
        object_type="patient_outcomes", action="read", allowed=True, patient_id=patient_a.pk
    )
    assert read.detail == "api instruments=phq9"
    assert AuditEvent.objects.filter(object_type="patient_outcomes", allowed=False).count() == 1
