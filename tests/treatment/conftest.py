"""Shared pieces of the treatment tests: API callers, an eligible review, a plan made by the
service, and a Monday far enough ahead that every planned date is in the future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from ketacare.clinical.rules import DEFAULT_SETTINGS

PLANS = "/api/v1/patients/{}/plans"
# The registry's defaults: the order a form pre-fills.
IV_ORDER = {
    "dose_mg_per_kg": DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg"),
    "duration_min": DEFAULT_SETTINGS.value("DOSE-IV-DURATION", "default_min"),
}
ESK_FIRST_MG = DEFAULT_SETTINGS.value("DOSE-ESK-FIRST-TRD", "first_dose_mg")
ESK_ORDER = {"dose_mg": ESK_FIRST_MG}


def monday_ahead(weeks: int = 1) -> dt.date:
    """The Monday `weeks` weeks after this week's: every session of a plan from it is ahead."""
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks)


@pytest.fixture
def monday() -> dt.date:
    return monday_ahead()


@pytest.fixture
def api(client: Any) -> Callable[..., Any]:
    """`api(person, "post", path, json)`: a request with that person's bearer token."""
    from ketacare.accounts.services import create_api_token

    tokens: dict[int, str] = {}

    def call(person: Any, method: str, path: str, body: Any = None, **params: Any) -> Any:
        user = getattr(person, "user", person)
        if user.pk not in tokens:
            tokens[user.pk] = create_api_token(user=user, name="tests").value
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        if method == "get":
            return client.get(path, params, headers=headers)
        return getattr(client, method)(path, body, content_type="application/json", headers=headers)

    return call


@pytest.fixture
def review_for(alice: Any) -> Callable[..., Any]:
    """`review_for(patient, route, decision)`: a review signed by alice."""
    from tests.factories import EligibilityReviewFactory

    def sign(patient: Any, route: str = "iv_ketamine", decision: str = "eligible") -> Any:
        screen = "eligible" if decision == "eligible" else "not_eligible"
        return EligibilityReviewFactory(
            patient=patient,
            route=route,
            decision=decision,
            screen_decision=screen,
            signed_by=alice.user,
        )

    return sign


@pytest.fixture
def eligible_iv(patient_a: Any, review_for: Callable[..., Any]) -> Any:
    return review_for(patient_a, "iv_ketamine")


@pytest.fixture
def eligible_esketamine(patient_a: Any, review_for: Callable[..., Any]) -> Any:
    return review_for(patient_a, "esketamine_nasal")


@pytest.fixture
def make_plan(alice: Any, monday: dt.date) -> Callable[..., Any]:
    """`make_plan(patient, protocol, order=..., every_days=...)`: a plan created by the service,
    as alice."""
    from ketacare.treatment.services import create_plan

    def make(
        patient: Any,
        protocol: str = "iv_induction_3x_weekly",
        order: dict[str, Any] | None = None,
        start: dt.date | None = None,
        every_days: dict[str, int] | None = None,
    ) -> Any:
        return create_plan(
            patient=patient,
            protocol=protocol,
            start=start or monday,
            order=order or IV_ORDER,
            every_days=every_days,
            by=alice,
        )

    return make


def sessions(plan: Any) -> list[Any]:
    from ketacare.treatment.models import TreatmentSession

    return list(TreatmentSession.objects.filter(plan=plan).order_by("number"))
