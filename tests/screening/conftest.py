"""Screening test helpers: an API caller per named person and charts at each screen outcome."""

from __future__ import annotations

import datetime as dt
import json

import pytest


class ApiCaller:
    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body):
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers=self.headers,
        )


@pytest.fixture
def api(client):
    from ketacare.accounts.services import create_api_token

    def make(person):
        user = getattr(person, "user", person)
        return ApiCaller(client, create_api_token(user=user, name="test").value)

    return make


def _adult_with_mdd(clinic, **fields):
    from tests.factories import PatientFactory

    return PatientFactory(
        clinic=clinic, date_of_birth=dt.date(1980, 1, 1), diagnosis="mdd", **fields
    )


@pytest.fixture
def eligible_patient(clinic_a):
    """A chart every route screens `eligible`: TRD, moderate PHQ-9, normal BP."""
    from tests.factories import AntidepressantTrialFactory, AssessmentFactory, OfficeVitalsFactory

    patient = _adult_with_mdd(clinic_a)
    AntidepressantTrialFactory(patient=patient)
    AntidepressantTrialFactory(patient=patient)
    AssessmentFactory(patient=patient, answers=[2, 2, 2, 2, 1, 1, 2, 1, 0], total=13)
    OfficeVitalsFactory(patient=patient, systolic=128, diastolic=80)
    return patient


@pytest.fixture
def review_patient(eligible_patient):
    """The eligible chart plus untreated sleep apnea: `needs_review` (ELIG-OSA)."""
    from tests.factories import ConditionFactory

    ConditionFactory(patient=eligible_patient, code="obstructive_sleep_apnea")
    return eligible_patient


@pytest.fixture
def excluded_patient(eligible_patient):
    """The eligible chart plus an aneurysm: `not_eligible` (ELIG-CI-ANEURYSM, every route)."""
    from tests.factories import ConditionFactory

    ConditionFactory(patient=eligible_patient, code="aneurysmal_vascular_disease")
    return eligible_patient
