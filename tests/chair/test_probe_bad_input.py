"""Inputs found by fuzzing the chair's JSON API (schemathesis and hand probes) that crashed the
server (500) or were stored although they make no sense: each is now a 422 naming the field,
and nothing is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ketacare.chair.models import Reading
from tests.chair.conftest import IV_ORDER, WEIGHT_KG, fresh, pre_dose_values, stored

pytestmark = pytest.mark.django_db

S = "/api/v1/sessions/{}"
PRE_DOSE: dict[str, Any] = {
    "systolic": 128,
    "diastolic": 80,
    "heart_rate": 72,
    "spo2": 98,
    "checklist": {
        "identity_confirmed": True,
        "consent_current": True,
        "rems_patient_enrolled": True,
        "escort_confirmed": True,
    },
}
# Past the largest id a database column holds (SQLite raised OverflowError: a 500).
TOO_BIG_ID = 2**63
# Past what `round()` of a Decimal can hold (decimal.InvalidOperation: a 500).
HUGE = 2.345606772106114e137


def last_loc(response: Any) -> list[Any]:
    return [error["loc"][-1] for error in response.json()["detail"]]


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    assert field in last_loc(response)


@pytest.fixture
def checked_in(iv_session: Any, nora: Any) -> Any:
    """The IV session with its pre-dose checks (go): the dose is next."""
    from ketacare.chair.services import record_pre_dose

    record_pre_dose(session=iv_session, values=pre_dose_values(), by=nora)
    return iv_session


# --- ids past the database's integers -----------------------------------------------------------


def test_a_nurse_id_past_the_largest_integer_is_a_422(api, iv_session, nora):
    before = stored(iv_session)

    response = api(
        nora, "post", S.format(iv_session.pk) + "/pre-dose", {**PRE_DOSE, "nurse_id": TOO_BIG_ID}
    )

    refused(response, "nurse_id")
    assert stored(fresh(iv_session)) == before


def test_a_witness_id_past_the_largest_integer_is_a_422(api, checked_in, nora):
    before = stored(checked_in)
    dose_mg = IV_ORDER["dose_mg_per_kg"] * WEIGHT_KG  # the plan's order for the chart's weight

    response = api(
        nora,
        "post",
        S.format(checked_in.pk) + "/dose",
        {
            "lot_number": "LOT-1",
            "weight_kg": WEIGHT_KG,
            "drawn_mg": dose_mg,
            "wasted_mg": 0,
            "witness_id": TOO_BIG_ID,
        },
    )

    refused(response, "witness_id")
    assert stored(fresh(checked_in)) == before


# --- numbers too large to round ---------------------------------------------------------------


@pytest.mark.parametrize("field", ["weight_kg", "concentration_mg_per_ml"])
@pytest.mark.parametrize("value", [HUGE, 1e300, 10**30])
def test_a_huge_weight_or_concentration_is_a_422(api, checked_in, nora, field, value):
    before = stored(checked_in)

    response = api(
        nora, "post", S.format(checked_in.pk) + "/dose", {"lot_number": "LOT-1", field: value}
    )

    refused(response, field)
    assert stored(fresh(checked_in)) == before


def test_the_service_refuses_a_huge_weight_as_a_field_error(checked_in, nora):
    from django.core.exceptions import ValidationError

    from ketacare.chair.services import record_dose

    with pytest.raises(ValidationError) as refusal:
        record_dose(session=checked_in, lot_number="LOT-1", weight_kg=HUGE, by=nora)

    assert set(refusal.value.message_dict) == {"weight_kg"}


# --- wrong types the schema used to coerce -----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_kg", "70"),
        ("concentration_mg_per_ml", True),
        ("drawn_mg", "35"),
        ("wasted_mg", False),
        ("witness_id", True),
        ("witness_id", "2"),
        ("version", True),
        ("version", "1"),
    ],
)
def test_a_boolean_or_text_for_a_number_is_a_422(api, checked_in, nora, field, value):
    before = stored(checked_in)

    response = api(
        nora, "post", S.format(checked_in.pk) + "/dose", {"lot_number": "LOT-1", field: value}
    )

    refused(response, field)
    assert stored(fresh(checked_in)) == before


@pytest.mark.parametrize(("field", "value"), [("nurse_id", "own id as text"), ("version", True)])
def test_a_boolean_or_text_for_an_id_at_check_in_is_a_422(api, iv_session, nora, field, value):
    if value == "own id as text":
        value = str(nora.user_id)
    before = stored(iv_session)

    response = api(nora, "post", S.format(iv_session.pk) + "/pre-dose", {**PRE_DOSE, field: value})

    refused(response, field)
    assert stored(fresh(iv_session)) == before


def test_true_is_not_a_number_of_minutes_at_discharge(api, iv_session, dosed, nora):
    # Dosed 2 hours ago: 1 minute would be a valid answer, so only the type can refuse `true`.
    dosed(iv_session, at=timezone.now() - dt.timedelta(hours=2), weight_kg=WEIGHT_KG)
    before = stored(fresh(iv_session))

    response = api(
        nora,
        "post",
        S.format(iv_session.pk) + "/discharge",
        {
            "attestations": {"dissociation_resolved": True, "no_driving_instructed": True},
            "ready_without_minimum_min": True,
        },
    )

    refused(response, "ready_without_minimum_min")
    assert stored(fresh(iv_session)) == before


# --- times outside the years a record can hold -------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z"],
)
def test_a_pre_dose_time_before_1900_is_a_422(api, iv_session, nora, value):
    before = stored(iv_session)

    response = api(nora, "post", S.format(iv_session.pk) + "/pre-dose", {**PRE_DOSE, "at": value})

    refused(response, "at")
    assert stored(fresh(iv_session)) == before


@pytest.mark.parametrize("field", ["onset_at", "resolved_at"])
def test_a_side_effect_in_the_year_1_is_a_422(api, checked_in, nora, field):
    before = stored(checked_in)
    body = {"term": "nausea", "grade": 1, "serious": False, field: "0001-01-01T00:00:00+05:00"}

    response = api(nora, "post", S.format(checked_in.pk) + "/side-effects", body)

    refused(response, field)
    assert stored(fresh(checked_in)) == before


def test_the_service_refuses_a_time_before_1900_naming_the_field(iv_session, nora):
    from django.core.exceptions import ValidationError

    from ketacare.chair.services import record_pre_dose

    at = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    with pytest.raises(ValidationError) as refusal:
        record_pre_dose(session=iv_session, values=pre_dose_values(at=at), by=nora)

    assert set(refusal.value.message_dict) == {"at"}


# --- a symptom named more than once ------------------------------------------------------------


def test_a_symptom_named_twice_is_a_422(api, iv_session, dosed, nora):
    dosed(iv_session, at=timezone.now() - dt.timedelta(minutes=5), weight_kg=WEIGHT_KG)
    before = stored(fresh(iv_session))

    response = api(
        nora,
        "post",
        S.format(iv_session.pk) + "/readings",
        {"systolic": 126, "diastolic": 78, "symptoms": ["severe_headache"] * 1000},
    )

    refused(response, "symptoms")
    assert stored(fresh(iv_session)) == before
    assert not Reading.objects.filter(session=iv_session).exists()
