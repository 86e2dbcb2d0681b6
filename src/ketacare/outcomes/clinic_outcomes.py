"""A clinic's outcomes, computed by the database: patients treated, response and remission at the
end of induction, time to relapse among responders (docs/clinic-outcomes.md).

What counts (reference 6.1, read for a clinic):

- A patient is treated when a plan of theirs (of the route asked, if one is) has a session dosed
  or discharged within the dates asked. Each patient counts once, by their earliest such plan.
- Baseline: the answer to the plan's baseline timepoint of the scale; without one, the last
  answer of the scale on or before the plan's first given session.
- End of induction: the answer to the plan's end-of-induction timepoint. Response and remission
  are counted over the treated patients that have both (`n`); the others are not guessed.
- Response (OUT-RESPONSE): at least the rule's reduction from the baseline, compared in exact
  integers; a baseline of 0 is never a response. Remission (OUT-REMISSION-*): at most the
  scale's remission total. Both thresholds are the clinical core's, passed to SQL as parameters.
- Relapse among responders (OUT-RELAPSE-*): follow-up starts at the end-of-induction answer; a
  relapse is an answer at or above the relapse total, with an earlier such answer of the same
  run inside the rule's day window (a run: the answers since the last one below the total),
  after at least one answer below it - as the clinical core's `course` reads the rule. A
  responder without relapse is censored at their last answer. Charted events
  (OUT-RELAPSE-EVENT) are not counted here.

How: one ORM query finds the plans and their two answers (correlated subqueries on the
timepoint and assessment indexes) and aggregates n and k in the database. The relapse reading
needs a window over a window (the run an answer is in, then the window of days inside the run),
which the ORM cannot express, so that step is one SQL statement over the ORM's own compiled
query, with one dialect difference (days between two dates), tested on SQLite and PostgreSQL.
Only (day, events, censored) rows reach Python, for the Kaplan-Meier arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinical.outcomes.benchmarks import END_OF_INDUCTION, Measure, matching_benchmarks
from ketacare.clinical.outcomes.definitions import relapse_definition, remission_at_most
from ketacare.clinical.outcomes.statistics import (
    KaplanMeier,
    Proportion,
    SurvivalRow,
    kaplan_meier,
    wilson,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings
from ketacare.clinics.models import Membership, Route
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import require_role
from ketacare.outcomes.models import TimepointKind
from ketacare.patients.models import Assessment
from ketacare.treatment.models import SessionStatus, TreatmentPlan, TreatmentSession
from ketacare.treatment.schedule import check_year

OBJECT_TYPE = "clinic_outcomes"
PRIMARY_SCALE = "phq9"
# The scales a clinic's outcomes can be read by: those with response, remission and relapse
# rules in the clinical core (reference 6.1).
SCALES: tuple[str, ...] = ("phq9", "madrs", "qids_sr16", "gad7")
GIVEN = (SessionStatus.DOSED, SessionStatus.DISCHARGED)
# Without dates: the year up to today.
DEFAULT_DAYS = 365


@dataclass(frozen=True, slots=True)
class OutcomeFilters:
    """What the clinic asks for: dates of the sessions given (inclusive), a route or every
    route, and the scale (PHQ-9, the self-report every patient answers, unless another)."""

    date_from: dt.date
    date_to: dt.date
    route: str | None = None
    scale: str = PRIMARY_SCALE


def read_filters(
    *,
    route: str | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    scale: str | None,
    today: dt.date,
) -> OutcomeFilters:
    """The filters asked for, checked: a ValidationError naming `route`, `from`, `to` or
    `scale` (dates in the future are refused: outcomes are of what has happened)."""
    errors: dict[str, str] = {}
    if route and route not in Route.values:
        errors["route"] = f"Give one of {', '.join(Route.values)}, or leave it out for all."
    if scale and scale not in SCALES:
        errors["scale"] = f"Give one of {', '.join(SCALES)}."
    for name, day in (("from", date_from), ("to", date_to)):
        if day is None:
            continue
        try:
            check_year(day, name)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
            continue
        if day > today:
            errors[name] = "Give a date that is not in the future."
    if errors:
        raise ValidationError(errors, code="invalid")
    last = date_to or today
    first = date_from or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise ValidationError({"to": "Give a date on or after `from`."}, code="invalid")
    return OutcomeFilters(first, last, route or None, scale or PRIMARY_SCALE)


@dataclass(frozen=True, slots=True)
class ClinicOutcomes:
    filters: OutcomeFilters
    patients_treated: int
    response: Proportion
    remission: Proportion
    remission_at_most: int
    relapse: KaplanMeier
    benchmarks: tuple[tuple[str, str, float, str], ...]  # (measure, label, rate, source)

    def as_document(self) -> dict[str, object]:
        """The contract's document (contracts.md 2.4, `GET /outcomes`)."""

        def proportion(p: Proportion) -> dict[str, object]:
            return {"n": p.n, "k": p.k, "rate": p.rate, "ci95": list(p.ci95) if p.ci95 else None}

        return {
            "patients_treated": self.patients_treated,
            "response": proportion(self.response),
            "remission": proportion(self.remission),
            "relapse": {
                "responders": self.relapse.followed,
                "events": self.relapse.events,
                "median_days": self.relapse.median_days,
                "curve": [
                    {"day": p.day, "survival": p.survival, "low": p.low, "high": p.high}
                    for p in self.relapse.curve
                ],
            },
            "benchmarks": [
                {"label": label, "rate": rate, "source": source}
                for _measure, label, rate, source in self.benchmarks
            ],
        }


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The clinical core's numbers for one scale, as SQL parameters."""

    response_numerator: int
    response_denominator: int
    remission_at_most: int
    relapse_at_least: int
    relapse_min_days: int
    relapse_max_days: int | None

    @classmethod
    def of(cls, scale: str, settings: ClinicalSettings) -> Thresholds:
        percent = Fraction(settings.value("OUT-RESPONSE", "reduction_at_least_percent")) / 100
        relapse = relapse_definition(scale, settings)
        if relapse.consecutive != 2:
            # The SQL reads a pair of answers; a longer chain would need another reading.
            raise ValueError(f"{relapse.rule_id}: only 2 consecutive assessments are supported")
        return cls(
            response_numerator=percent.numerator,
            response_denominator=percent.denominator,
            remission_at_most=remission_at_most(scale, settings),
            relapse_at_least=relapse.total_at_least,
            relapse_min_days=relapse.minimum_days_apart,
            relapse_max_days=relapse.maximum_days_apart,
        )


def treated_plans(clinic_id: int, filters: OutcomeFilters) -> QuerySet[TreatmentPlan]:
    """One plan per treated patient (their earliest qualifying one), with its baseline and
    end-of-induction answers of the scale: `baseline`, `end_total`, `end_at`, `end_day`."""
    given = TreatmentSession.objects.filter(plan=OuterRef("pk"), status__in=GIVEN)
    qualifying = TreatmentPlan.objects.filter(clinic_id=clinic_id).filter(
        Exists(given.filter(date__gte=filters.date_from, date__lte=filters.date_to))
    )
    if filters.route is not None:
        qualifying = qualifying.filter(route=filters.route)
    # The patient's earliest qualifying plan: none of theirs starts before it (or on the same
    # day with a smaller id). A NOT EXISTS the database runs as one anti-join.
    earlier = qualifying.filter(patient_id=OuterRef("patient_id")).filter(
        Q(start__lt=OuterRef("start")) | Q(start=OuterRef("start"), pk__lt=OuterRef("pk"))
    )
    last_before_first_session = (
        Assessment.objects.filter(
            clinic_id=clinic_id,
            patient_id=OuterRef("patient_id"),
            instrument=filters.scale,
            total__isnull=False,
            completed_at__date__lte=OuterRef("first_given"),
        )
        .order_by("-completed_at", "-pk")
        .values("total")[:1]
    )
    # The baseline and end-of-induction timepoints (sequence 0, one of each per plan and scale
    # by the unique constraint) as joins, so the database reads them in one pass.
    return (
        qualifying.filter(~Exists(earlier))
        .alias(
            base=_timepoint(TimepointKind.BASELINE, filters.scale),
            end=_timepoint(TimepointKind.END_OF_INDUCTION, filters.scale),
        )
        .annotate(
            first_given=Subquery(given.order_by("date").values("date")[:1]),
            baseline=Coalesce(F("base__assessment__total"), Subquery(last_before_first_session)),
            end_total=F("end__assessment__total"),
            end_at=F("end__assessment__completed_at"),
        )
        .annotate(end_day=TruncDate("end_at"))
    )


def _timepoint(kind: str, scale: str) -> FilteredRelation:
    return FilteredRelation(
        "timepoints",
        condition=Q(timepoints__kind=kind, timepoints__instrument=scale, timepoints__sequence=0),
    )


@dataclass(frozen=True, slots=True)
class Aggregates:
    """What the database returns: the counts, and (day, events, censored) of the responders."""

    treated: int
    n: int
    responded: int
    remitted: int
    survival: list[SurvivalRow]


def _days_between(earlier: str, later: str) -> str:
    """SQL for the whole days from date `earlier` to date `later` (the one dialect difference:
    PostgreSQL subtracts dates; SQLite keeps them as text)."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


# Response, in integers: (baseline - end) / baseline >= numerator / denominator, baseline > 0.
_RESPONDED = (
    "baseline > 0 AND end_total IS NOT NULL AND (baseline - end_total) * %s >= baseline * %s"
)


def aggregates(clinic_id: int, filters: OutcomeFilters, t: Thresholds) -> Aggregates:
    """The counts and the relapse rows, in one statement over the ORM's compiled queries.

    `plans` (the ORM's `treated_plans`) is computed once (MATERIALIZED: PostgreSQL would
    otherwise inline it into the join and run its look-ups per answer) and read twice: for the
    counts and for the responders. Relapse: `runs` numbers each answer by the answers below
    the relapse total so far (a run is what follows one of them); `paired` counts the high
    answers of the same run inside the rule's day window before each answer.
    """
    plans = (
        treated_plans(clinic_id, filters)
        .order_by()
        .values("patient_id", "baseline", "end_total", "end_at", "end_day")
    )
    answers = (
        Assessment.objects.filter(clinic_id=clinic_id, instrument=filters.scale)
        .exclude(total__isnull=True)
        .order_by()
        .values("id", "patient_id", "total", "completed_at", day=TruncDate("completed_at"))
    )
    plans_sql, plans_params = plans.query.sql_with_params()
    answers_sql, answers_params = answers.query.sql_with_params()
    earliest = (
        "UNBOUNDED PRECEDING"
        if t.relapse_max_days is None
        else f"{int(t.relapse_max_days)} PRECEDING"
    )
    statement = f"""
        WITH plans AS MATERIALIZED ({plans_sql}),
        answers AS ({answers_sql}),
        counts AS (
            SELECT COUNT(*) AS treated,
                   COALESCE(SUM(CASE WHEN baseline IS NOT NULL AND end_total IS NOT NULL
                                     THEN 1 ELSE 0 END), 0) AS n,
                   COALESCE(SUM(CASE WHEN {_RESPONDED} THEN 1 ELSE 0 END), 0) AS responded,
                   COALESCE(SUM(CASE WHEN baseline IS NOT NULL AND end_total <= %s
                                     THEN 1 ELSE 0 END), 0) AS remitted
            FROM plans
        ),
        followed AS (
            SELECT a.patient_id, a.id, a.completed_at,
                   {_days_between("r.end_day", "a.day")} AS day_number,
                   CASE WHEN a.total >= %s THEN 1 ELSE 0 END AS high
            FROM plans r JOIN answers a ON a.patient_id = r.patient_id
            WHERE {_RESPONDED.replace("baseline", "r.baseline").replace("end_total", "r.end_total")}
              AND a.completed_at >= r.end_at
        ),
        runs AS (
            SELECT patient_id, day_number, high,
                   SUM(1 - high) OVER (
                       PARTITION BY patient_id ORDER BY completed_at, id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                   ) AS lows
            FROM followed
        ),
        paired AS (
            SELECT patient_id, day_number, high, lows,
                   SUM(high) OVER (
                       PARTITION BY patient_id, lows ORDER BY day_number
                       RANGE BETWEEN {earliest} AND {int(t.relapse_min_days)} PRECEDING
                   ) AS earlier_highs
            FROM runs
        ),
        per_patient AS (
            SELECT MIN(CASE WHEN high = 1 AND lows >= 1 AND earlier_highs >= 1
                            THEN day_number END) AS relapse_day,
                   MAX(day_number) AS last_day
            FROM paired GROUP BY patient_id
        )
        SELECT 0 AS kind, treated, n, responded, remitted FROM counts
        UNION ALL
        SELECT 1, COALESCE(relapse_day, last_day),
               SUM(CASE WHEN relapse_day IS NULL THEN 0 ELSE 1 END),
               SUM(CASE WHEN relapse_day IS NULL THEN 1 ELSE 0 END), 0
        FROM per_patient GROUP BY COALESCE(relapse_day, last_day)
    """  # noqa: S608 - every name is the ORM's or ours; values are parameters
    responded = [t.response_denominator, t.response_numerator]
    params = [
        *plans_params,
        *answers_params,
        *responded,
        t.remission_at_most,
        t.relapse_at_least,
        *responded,
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    counts = next(row for row in rows if row[0] == 0)
    survival = [SurvivalRow(int(r[1]), int(r[2]), int(r[3])) for r in rows if r[0] == 1]
    return Aggregates(
        treated=int(counts[1]),
        n=int(counts[2]),
        responded=int(counts[3]),
        remitted=int(counts[4]),
        survival=survival,
    )


def compute_clinic_outcomes(
    clinic_id: int,
    filters: OutcomeFilters,
    *,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> ClinicOutcomes:
    """The outcomes of one clinic (no permission check, no audit: `clinic_outcomes` does both)."""
    t = Thresholds.of(filters.scale, settings)
    found = aggregates(clinic_id, filters, t)
    benchmarks = [
        (measure.value, b.label, b.rate, b.source)
        for measure in (Measure.RESPONSE, Measure.REMISSION)
        for b in matching_benchmarks(
            route=filters.route,
            scale=filters.scale,
            timepoint=END_OF_INDUCTION,
            measure=measure,
            remission_at_most=t.remission_at_most,
        )
    ]
    return ClinicOutcomes(
        filters=filters,
        patients_treated=found.treated,
        response=wilson(found.responded, found.n),
        remission=wilson(found.remitted, found.n),
        remission_at_most=t.remission_at_most,
        relapse=kaplan_meier(found.survival),
        benchmarks=tuple(benchmarks),
    )


def clinic_outcomes(
    membership: Membership | None,
    filters: OutcomeFilters,
    *,
    action: Action = Action.READ,
) -> ClinicOutcomes:
    """The acting clinic's outcomes: VIEW_CLINIC_OUTCOMES (else a denied event and 403), the
    read (or `Action.EXPORT` for the CSV) audited with the filters - counts only, no patient."""
    membership = require_role(
        membership, Permission.VIEW_CLINIC_OUTCOMES, action=action, object_type=OBJECT_TYPE
    )
    clinic_id = int(membership.clinic.pk)
    result = compute_clinic_outcomes(clinic_id, filters)
    record_event(
        action=action,
        membership=membership,
        object_type=OBJECT_TYPE,
        object_id=clinic_id,
        detail=(
            f"route={filters.route or 'all'} scale={filters.scale} "
            f"from={filters.date_from.isoformat()} to={filters.date_to.isoformat()} "
            f"treated={result.patients_treated} n={result.response.n}"
        ),
    )
    return result
