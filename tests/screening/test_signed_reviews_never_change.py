"""A signed review never changes: no edit path in the services or the API, the model refuses a
second save, and the database refuses UPDATE and an eligible decision over an exclusion."""

from __future__ import annotations

import inspect

import pytest
from django.db import IntegrityError, connection, transaction

from ketacare.screening import services
from ketacare.screening.api import router
from ketacare.screening.models import EligibilityReview, SignedReviewIsFinal
from tests.factories import EligibilityReviewFactory

pytestmark = pytest.mark.django_db


def test_the_only_use_case_signs_a_new_review():
    public = {
        name
        for name, value in inspect.getmembers(services, inspect.isfunction)
        if value.__module__ == services.__name__ and not name.startswith("_")
    }
    assert public == {"sign_eligibility_decision"}


def test_the_api_offers_no_way_to_edit_or_delete_a_review():
    methods = {
        method
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        for method in operation.methods
    }
    assert methods == {"GET", "POST"}


def test_a_signed_review_cannot_be_saved_again(alice, patient_a):
    review = EligibilityReviewFactory(patient=patient_a, signed_by=alice.user)
    review.note = "changed afterwards"

    with pytest.raises(SignedReviewIsFinal):
        review.save()
    with pytest.raises(SignedReviewIsFinal):
        review.save(update_fields=["note"])

    assert EligibilityReview.objects.get(pk=review.pk).note == ""


def test_the_database_refuses_to_update_a_signed_review(alice, patient_a):
    review = EligibilityReviewFactory(patient=patient_a, signed_by=alice.user)

    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        EligibilityReview.objects.filter(pk=review.pk).update(note="changed afterwards")

    assert EligibilityReview.objects.get(pk=review.pk).note == ""


def test_the_update_guard_survives_every_migration():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["screening_eligibilityreview"],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                ["screening_eligibilityreview"],
            )
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"screening_eligibilityreview_no_update"}


def test_the_database_refuses_eligible_over_a_not_eligible_screen(alice, patient_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        EligibilityReviewFactory(
            patient=patient_a,
            signed_by=alice.user,
            decision="eligible",
            screen_decision="not_eligible",
        )
