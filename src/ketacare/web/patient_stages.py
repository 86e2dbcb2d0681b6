"""Where each patient stands on the path, for the patient list: awaiting review, reviewed
(eligible or not), in treatment. Computed in the list's one query (correlated subqueries,
each scoped by the clinic like every query of patient data)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery, TextChoices
from django.db.models.functions import Coalesce

from ketacare.patients.models import PatientQuerySet
from ketacare.screening.models import EligibilityReview, ReviewDecision
from ketacare.treatment.models import PlanStatus, TreatmentPlan


class Stage(TextChoices):
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    ELIGIBLE = "eligible", "Eligible, no plan yet"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    IN_TREATMENT = "in_treatment", "In treatment"


def with_stage(patients: PatientQuerySet) -> PatientQuerySet:
    """`patients` with `active_plan_route`, and `review_decision` and `review_route`: `eligible`
    and its route when the latest signed review of some route is eligible (reviews are per
    route: a later refusal for another route does not undo it), else the latest review's."""
    plans = TreatmentPlan.objects.filter(
        clinic_id=OuterRef("clinic_id"), patient_id=OuterRef("pk"), status=PlanStatus.ACTIVE
    ).order_by("-created_at", "-pk")
    reviews = EligibilityReview.objects.filter(
        clinic_id=OuterRef("clinic_id"), patient_id=OuterRef("pk")
    ).order_by("-signed_at", "-pk")
    # A later review of the same route (by signed_at, then pk: latest_signed_review's order).
    later = EligibilityReview.objects.filter(
        clinic_id=OuterRef("clinic_id"),
        patient_id=OuterRef("patient_id"),
        route=OuterRef("route"),
    ).filter(
        Q(signed_at__gt=OuterRef("signed_at"))
        | Q(signed_at=OuterRef("signed_at"), pk__gt=OuterRef("pk"))
    )
    eligible_now = reviews.filter(decision=ReviewDecision.ELIGIBLE).filter(~Exists(later))
    return patients.annotate(
        active_plan_route=Subquery(plans.values("route")[:1]),
        review_decision=Coalesce(
            Subquery(eligible_now.values("decision")[:1]),
            Subquery(reviews.values("decision")[:1]),
        ),
        review_route=Coalesce(
            Subquery(eligible_now.values("route")[:1]), Subquery(reviews.values("route")[:1])
        ),
    )


def filter_stage(patients: PatientQuerySet, stage: str) -> PatientQuerySet:
    """Only the patients at `stage` (of a queryset built by `with_stage`)."""
    if stage == Stage.IN_TREATMENT:
        return patients.filter(active_plan_route__isnull=False)
    waiting = patients.filter(active_plan_route__isnull=True)
    if stage == Stage.AWAITING_REVIEW:
        return waiting.filter(review_decision__isnull=True)
    if stage == Stage.ELIGIBLE:
        return waiting.filter(review_decision=ReviewDecision.ELIGIBLE)
    if stage == Stage.NOT_ELIGIBLE:
        return waiting.filter(review_decision=ReviewDecision.NOT_ELIGIBLE)
    return patients


def stage_of(patient: object) -> Stage:
    """The stage of one row of `with_stage`."""
    if getattr(patient, "active_plan_route", None):
        return Stage.IN_TREATMENT
    decision = getattr(patient, "review_decision", None)
    if decision == ReviewDecision.ELIGIBLE:
        return Stage.ELIGIBLE
    if decision == ReviewDecision.NOT_ELIGIBLE:
        return Stage.NOT_ELIGIBLE
    return Stage.AWAITING_REVIEW
