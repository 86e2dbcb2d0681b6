"""The eligibility page reads in the same number of queries however many reviews the patient
has (style guide: exact counts at two data sizes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import EligibilityReviewFactory

pytestmark = pytest.mark.django_db

# Session, user, device, memberships, patient; the chart facts (6); the audit event (2, one
# round trip on PostgreSQL); the reviews of every route with their signers and
# superseded flags (1); the session save (3).
QUERIES = 17


def _reviews(patient, signer, n: int) -> None:
    latest: dict[str, object] = {}
    for day in range(n):
        for route in ("iv_ketamine", "esketamine_nasal"):
            latest[route] = EligibilityReviewFactory(
                patient=patient,
                signed_by=signer,
                route=route,
                decision="not_eligible",
                note="Reviewed.",
                signed_at=timezone.now() - dt.timedelta(days=n - day),
                supersedes=latest.get(route),
            )


@pytest.mark.parametrize("n", [1, 12])
def test_the_page_reads_in_a_fixed_number_of_queries(
    staff_client, alice, eligible_patient, django_assert_num_queries, n
):
    _reviews(eligible_patient, alice.user, n)
    client = staff_client(alice)
    url = reverse("screening:review", args=[eligible_patient.pk]) + "?route=iv_ketamine"
    client.get(url)  # warm the session and the template cache

    with django_assert_num_queries(QUERIES - (connection.vendor == "postgresql")):
        response = client.get(url)

    assert response.status_code == 200
