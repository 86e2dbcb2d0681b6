"""Scoped reads of plans, dose orders and sessions: every helper takes the acting membership.

Anything outside the membership's clinic is a 404 with a denied audit event, whatever the role; in
the clinic, a role without the permission is a 403 (audited too). Helpers that take a patient
expect one already read through `ketacare.patients.queries.get_patient_for` and add no audit
event of their own.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Prefetch, QuerySet

from ketacare.audit.models import Action
from ketacare.clinics.models import Route
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import get_patient_row_for, scoped
from ketacare.clinics.tenancy import require_role as require
from ketacare.patients.queries import get_patient_for
from ketacare.treatment.models import DoseOrder, SessionStatus, TreatmentPlan, TreatmentSession

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership
    from ketacare.patients.models import Patient

PLAN = "treatment_plan"
ORDER = "dose_order"
SESSION = "treatment_session"

# Sessions that still take place (or took place): every status but `cancelled`.
LIVE_STATUSES = tuple(s for s in SessionStatus.values if s != SessionStatus.CANCELLED)


def _orders() -> Prefetch[DoseOrder]:
    return Prefetch("orders", queryset=DoseOrder.objects.select_related("signed_by"))


def get_plan_for(
    membership: Membership | None,
    plan_id: object,
    *,
    permission: Permission = Permission.VIEW_PLAN,
    action: Action = Action.READ,
    audit_read: bool = True,
) -> TreatmentPlan:
    """One plan of the acting clinic, its patient joined and its orders prefetched.

    With `audit_read` the read is recorded; services that go on to change the plan pass False
    and record their own event.
    """
    plans = TreatmentPlan.objects.select_related("patient", "created_by").prefetch_related(
        _orders()
    )
    return get_patient_row_for(
        plans,
        membership,
        plan_id,
        object_type=PLAN,
        permission=permission,
        action=action,
        audit_read=audit_read,
    )


def get_session_for(
    membership: Membership | None,
    session_id: object,
    *,
    permission: Permission = Permission.VIEW_SCHEDULE,
    action: Action = Action.READ,
    audit_read: bool = True,
) -> TreatmentSession:
    """One session of the acting clinic, with its plan and patient joined."""
    sessions = TreatmentSession.objects.select_related("plan", "patient")
    return get_patient_row_for(
        sessions,
        membership,
        session_id,
        object_type=SESSION,
        permission=permission,
        action=action,
        audit_read=audit_read,
    )


def get_session_to_schedule_for(
    membership: Membership | None, session_id: object, *, audit_read: bool
) -> TreatmentSession:
    """A session to move or cancel: SCHEDULE_SESSION, refusals audited as UPDATE."""
    return get_session_for(
        membership,
        session_id,
        permission=Permission.SCHEDULE_SESSION,
        action=Action.UPDATE,
        audit_read=audit_read,
    )


def get_patient_with(
    membership: Membership | None, patient_id: object, *, permission: Permission, object_type: str
) -> Patient:
    """A patient of the acting clinic (404 across clinics) whose `object_type` rows the role may
    read with `permission` (403, audited). The caller records the read of what it lists."""
    patient = get_patient_for(membership, patient_id, audit_read=False)
    require(
        membership,
        permission,
        action=Action.READ,
        object_type=object_type,
        patient_id=patient.pk,
    )
    return patient


def plans_of(patient: Patient) -> QuerySet[TreatmentPlan]:
    """The patient's plans, newest first, orders prefetched (two queries)."""
    return TreatmentPlan.objects.filter(
        clinic_id=patient.clinic_id, patient_id=patient.pk
    ).prefetch_related(_orders())


def _sessions_listed(patient: Patient, first: dt.date | None) -> QuerySet[TreatmentSession]:
    qs = TreatmentSession.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk)
    return qs if first is None else qs.filter(date__gte=first)


def count_sessions_of(patient: Patient, *, first: dt.date | None) -> int:
    """How many sessions `session_rows_of` lists in all (for a page asked past the end)."""
    return _sessions_listed(patient, first).count()


def session_rows_of(
    patient: Patient, *, first: dt.date | None, offset: int, limit: int, with_orders: bool
) -> list[tuple[Any, ...]]:
    """Rows `offset` to `offset + limit` of the patient's sessions (every plan, from `first`
    when given) by date, time and id, as tuples: id, plan id, the plan's route, number, phase,
    date, planned date, time, status, change reason, then the number of all the sessions
    listed (`COUNT(*) OVER ()`: a page and the pager's total in one statement); `with_orders`
    adds the current order of the session's plan (its latest signed version; None in every
    column when the plan has none): its id, mg/kg, duration (min), concentration (mg/mL), mg.

    One plain statement: the sessions page sends it on every view, and Django takes about a
    millisecond of CPU to build such a query (filters, joins, window) and its rows, several
    times what the database takes to answer it (bench/pages.py). Every table is scoped by the
    patient's clinic; the sessions come in the order of `sessions_of`."""
    quote = connection.ops.quote_name
    session, plan, order = (
        quote(model._meta.db_table) for model in (TreatmentSession, TreatmentPlan, DoseOrder)
    )
    params: list[Any] = [patient.clinic_id, patient.pk]
    since = ""
    if first is not None:
        since = " AND s.date >= %s"
        params.append(connection.ops.adapt_datefield_value(first))
    # Every name is the models' (or ours); every value a parameter.
    order_columns = order_join = ""
    if with_orders:
        order_columns = (
            ", o.id, o.dose_mg_per_kg, o.duration_min, o.concentration_mg_per_ml, o.dose_mg"
        )
        order_join = (
            f" LEFT JOIN {order} o ON o.plan_id = s.plan_id AND o.clinic_id = s.clinic_id"  # noqa: S608
            f" AND o.number = (SELECT MAX(c.number) FROM {order} c"
            " WHERE c.plan_id = s.plan_id AND c.clinic_id = s.clinic_id)"
        )
    statement = (
        "SELECT s.id, s.plan_id, p.route, s.number, s.phase, s.date, s.planned_date, s.time,"  # noqa: S608
        f" s.status, s.change_reason, COUNT(*) OVER (){order_columns}"
        f" FROM {session} s JOIN {plan} p ON p.id = s.plan_id AND p.clinic_id = s.clinic_id"
        f"{order_join} WHERE s.clinic_id = %s AND s.patient_id = %s{since}"
        " ORDER BY s.date, s.time, s.id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, limit, offset])
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def sessions_of_plan(plan: TreatmentPlan) -> QuerySet[TreatmentSession]:
    """The plan's sessions in course order."""
    return TreatmentSession.objects.filter(clinic_id=plan.clinic_id, plan_id=plan.pk).order_by(
        "number"
    )


def sessions_of(
    patient: Patient,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    with_orders: bool = False,
) -> QuerySet[TreatmentSession]:
    """The patient's sessions (every plan) by date, optionally from `first` to `last`;
    `with_orders` prefetches each plan's orders (`current_order`), one query more."""
    qs = TreatmentSession.objects.filter(
        clinic_id=patient.clinic_id, patient_id=patient.pk
    ).select_related("plan")
    if with_orders:
        qs = qs.prefetch_related("plan__orders")
    if first is not None:
        qs = qs.filter(date__gte=first)
    if last is not None:
        qs = qs.filter(date__lte=last)
    return qs.order_by("date", "time", "pk")


def clinic_sessions(
    membership: Membership | None,
    *,
    first: dt.date | None,
    last: dt.date | None,
    with_orders: bool = False,
) -> QuerySet[TreatmentSession]:
    """The acting clinic's sessions from `first` to `last` (inclusive), patient and plan joined;
    `with_orders` prefetches each plan's orders (one query more, whatever the number of rows).

    Empty without VIEW_SCHEDULE (deny by default); the caller records the list read.
    """
    if not has_permission(membership, Permission.VIEW_SCHEDULE):
        return TreatmentSession.objects.none()
    qs = scoped(TreatmentSession.objects.select_related("patient", "plan"), membership)
    if first is not None:
        qs = qs.filter(date__gte=first)
    if last is not None:
        qs = qs.filter(date__lte=last)
    if with_orders:
        qs = qs.prefetch_related("plan__orders")
    return qs.order_by("date", "time", "patient__family_name", "patient__given_name", "pk")


def current_order(plan: TreatmentPlan) -> DoseOrder | None:
    """The plan's latest signed order (from the prefetched orders when there are)."""
    return plan.current_order


def last_session_on_or_before(
    patient: Patient, route: str, day: dt.date
) -> TreatmentSession | None:
    """The patient's latest session of `route` (any plan) dated `day` or earlier that takes or
    took place (not cancelled), or None: what a new plan's first session follows."""
    return (
        TreatmentSession.objects.filter(
            clinic_id=patient.clinic_id,
            patient_id=patient.pk,
            plan__route=route,
            status__in=LIVE_STATUSES,
            date__lte=day,
        )
        .order_by("-date", "-number")
        .only("number", "date", "plan_id")
        .first()
    )


def esketamine_dates(patient: Patient, *, excluding: int | None = None) -> list[dt.date]:
    """The dates of the patient's esketamine sessions that take place (any plan), for
    DOSE-ESK-MAX-FREQUENCY; `excluding` leaves one session out (the one being moved)."""
    qs = TreatmentSession.objects.filter(
        clinic_id=patient.clinic_id,
        patient_id=patient.pk,
        plan__route=Route.ESKETAMINE_NASAL,
        status__in=LIVE_STATUSES,
    )
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return list(qs.values_list("date", flat=True))
