"""Scoped reads of the eligibility screen and of signed reviews.

Helpers that take the acting membership stay inside the acting clinic first (another clinic's
patient or review is a 404 with a denied audit event, never a 403), then check
`view_eligibility` (403 with a denied audit event) and record the read. `latest_signed_review`,
`reviews_of` and `chart_screen` take a patient already read through such a helper and add no
audit event of their own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.eligibility import ScreenResult, screen_chart
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinics.models import Membership, Route
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role, scoped_get
from ketacare.patients.models import Patient
from ketacare.patients.queries import chart_facts, get_patient_for
from ketacare.screening.errors import ConflictCode, ReviewConflict
from ketacare.screening.models import EligibilityReview

SCREEN = "eligibility_screen"
REVIEW = "eligibility_review"
REVIEW_LIST = "eligibility_review_list"


@dataclass(frozen=True)
class ChartScreen:
    """The clinical screen of a chart for one route, with the facts it was computed from."""

    result: ScreenResult
    facts: dict[str, Any]

    @property
    def document(self) -> dict[str, Any]:
        """The contract's `ketacare screen` output."""
        return self.result.as_document()

    @property
    def digest(self) -> str:
        """A fingerprint of the screen: the page signs over the screen the prescriber saw."""
        return screen_digest(self.document)


def screen_digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_route(route: object) -> str:
    """A route identifier of contracts.md; anything else is a ValidationError naming `route`."""
    if not isinstance(route, str) or route not in Route.values:
        raise ValidationError(
            {"route": f"Unknown route; use one of {', '.join(Route.values)}."},
            code="unknown_route",
        )
    return route


def chart_screen(patient: Patient, route: str) -> ChartScreen:
    """The screen of the chart as it is now (clinical core `screen_chart`), unsigned.

    A chart value the clinical core refuses is a ReviewConflict (`chart_not_screenable`) naming
    the field, never a 500: the chart must be corrected before it can be reviewed.
    """
    facts = chart_facts(patient)
    try:
        result = screen_chart({"route": route, **facts})
    except ClinicalInputError as error:
        raise ReviewConflict(
            ConflictCode.CHART_NOT_SCREENABLE,
            f"The chart cannot be screened until it is corrected: {error.message}",
            field=error.field,
        ) from error
    return ChartScreen(result=result, facts=facts)


def require_eligibility_permission(
    membership: Membership | None,
    permission: Permission,
    *,
    action: Action | str,
    object_type: str,
    object_id: object = "",
    patient_id: int | None = None,
) -> Membership:
    """The acting membership if its role grants `permission`; else a denied event and a 403."""
    return require_role(
        membership,
        permission,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        message=f"Your role does not allow this ({permission.value}).",
    )


def require_reading(
    membership: Membership | None, object_type: str, *, object_id: object, patient_id: int
) -> Membership:
    """`view_eligibility` to read the screen or reviews of a patient (403 and a denied event)."""
    return require_eligibility_permission(
        membership,
        Permission.VIEW_ELIGIBILITY,
        action=Action.READ,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
    )


def require_signing(membership: Membership | None, patient: Patient) -> Membership:
    """`sign_eligibility` to sign a review of `patient` (403 and a denied event)."""
    return require_eligibility_permission(
        membership,
        Permission.SIGN_ELIGIBILITY,
        action=Action.CREATE,
        object_type=REVIEW,
        patient_id=patient.pk,
    )


def screen_patient_for(
    membership: Membership | None, patient_id: object, route: object
) -> tuple[Patient, ChartScreen]:
    """The acting clinic's patient and the screen of their chart for `route`, audited as a read.

    404 and a denied event for another clinic's patient; then as `screen_for`.
    """
    patient = get_patient_for(membership, patient_id, audit_read=False)
    return patient, screen_for(membership, patient, route)


def screen_for(membership: Membership | None, patient: Patient, route: object) -> ChartScreen:
    """The screen of a patient's chart (read through a scoped helper), audited as a read.

    403 and a denied event without `view_eligibility`; ValidationError naming `route` for an
    unknown route; ReviewConflict for a chart the clinical core cannot screen.
    """
    require_reading(membership, SCREEN, object_id=patient.pk, patient_id=patient.pk)
    checked = check_route(route)
    screen = chart_screen(patient, checked)
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=SCREEN,
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"route={checked} screen={screen.result.decision.value}",
    )
    return screen


def _with_superseded(qs: QuerySet[EligibilityReview]) -> QuerySet[EligibilityReview]:
    later = EligibilityReview.objects.filter(supersedes_id=OuterRef("pk"))
    return qs.select_related("signed_by").annotate(superseded=Exists(later))


def reviews_of(patient: Patient, *, route: str | None = None) -> QuerySet[EligibilityReview]:
    """The patient's signed reviews, newest first, each with `superseded` (no audit event)."""
    qs = EligibilityReview.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk)
    if route is not None:
        qs = qs.filter(route=route)
    return _with_superseded(qs).order_by("-signed_at", "-pk")


def reviews_for(
    membership: Membership | None, patient_id: object, *, limit: int, offset: int
) -> tuple[Patient, list[EligibilityReview], int]:
    """One page of a patient's reviews (newest first) and their count, audited as a list read."""
    patient = get_patient_for(membership, patient_id, audit_read=False)
    require_reading(membership, REVIEW_LIST, object_id=patient.pk, patient_id=patient.pk)
    qs = reviews_of(patient)
    count = qs.count()
    rows = list(qs[offset : offset + limit])
    # All rows are this patient's: the patient id finds the read in the audit report.
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=REVIEW_LIST,
        object_id=patient.pk,
        patient_id=patient.pk,
        detail=f"offset={offset} shown={len(rows)} total={count}",
    )
    return patient, rows, count


def get_review_for(membership: Membership | None, review_id: object) -> EligibilityReview:
    """One signed review of the acting clinic (with `superseded`), audited as a read."""
    reviews = _with_superseded(EligibilityReview.objects.all())
    review = scoped_get(reviews, membership, review_id, object_type=REVIEW)
    require_reading(membership, REVIEW, object_id=review.pk, patient_id=review.patient_id)
    record_event(
        action=Action.READ,
        membership=membership,
        object_type=REVIEW,
        object_id=review.pk,
        patient_id=review.patient_id,
    )
    return review


def latest_signed_review(patient: Patient, route: str) -> EligibilityReview | None:
    """The patient's latest signed review for `route` (by signed_at, then pk), or None.

    The caller has already read `patient` through a scoped helper; the clinic filter keeps the
    lookup inside the patient's clinic all the same (and on the index clinic, patient, route).
    A treatment plan for the route needs this review to be `eligible` (contracts 2.2).
    """
    return (
        EligibilityReview.objects.filter(
            clinic_id=patient.clinic_id, patient_id=patient.pk, route=route
        )
        .order_by("-signed_at", "-pk")
        .first()
    )
