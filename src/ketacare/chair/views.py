"""The session page at the chair (tablet first, phone too; works without JavaScript).

    /sessions/<id>/     header, pre-dose checks and the go/hold, the dose, readings with the
                        countdown to the next one, alerts, side effects, discharge; after
                        discharge the session's summary with amendments

The page is read through `ketacare.chair.queries.get_chair_for` (VIEW_SESSION; another clinic's
session is a 404, a role without the permission the 403 page) in a fixed number of queries
whatever the number of readings. Its forms post to the views of `views_actions`, which call the
chair services and render this page again (or its live region for htmx) with what they refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from ketacare.chair.board import board_row
from ketacare.chair.errors import ChairConflict
from ketacare.chair.forms import (
    AcknowledgeForm,
    AmendForm,
    CountForm,
    DischargeForm,
    DoseForm,
    PreDoseForm,
    ProceedForm,
    ReadingForm,
    ResolveForm,
    SideEffectForm,
)
from ketacare.chair.models import AlertLevel, Dosing
from ketacare.chair.presentation import (
    LEVEL_WORDS,
    READY_ONCE_ATTESTED,
    criteria,
    dose_preview,
    due_words,
    grade_words,
    minutes_between,
    pending_alerts,
    readable_times,
    signed_minutes,
    term_words,
    timeline,
    vitals_line,
)
from ketacare.chair.queries import get_chair_for
from ketacare.chair.services.discharge import judge_discharge
from ketacare.chair.services.dose import checklist_refusals
from ketacare.chair.state import Chair, judge
from ketacare.clinical.adverse import sedation_banner
from ketacare.clinical.monitoring import ESKETAMINE, HOLD_RULES, IV_KETAMINE, MonitorResult
from ketacare.clinical.monitoring.decisions import (
    PRESCRIBER_DECIDABLE_HOLDS,
    SIDE_EFFECT_RULE,
    needs_acknowledgement,
)
from ketacare.clinical.monitoring.dose_gate import pregnancy_check_applies
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import ROLE_PERMISSIONS, Permission, has_permission
from ketacare.clinics.tenancy import membership_required
from ketacare.patients.queries import current_medications, latest_weight_kg
from ketacare.patients.services import consent_stands, latest_consent
from ketacare.treatment.models import SessionStatus
from ketacare.treatment.queries import SESSION

View = Callable[..., HttpResponse]

PAGE = "chair/session.html"
LIVE = "chair/_live.html"


def forbidden_page(view: View) -> View:
    """The 403 page (naming role and clinic) for a PermissionDenied the queries or services
    raised and recorded."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, membership: Membership, **kwargs: Any) -> Any:
        try:
            return view(request, *args, membership=membership, **kwargs)
        except PermissionDenied:
            context = {"membership": membership}
            return render(request, "clinics/forbidden.html", context, status=403)

    return wrapper


@dataclass
class Refusal:
    """What a service refused, shown above the form that asked: its sentence, the rules that
    decided, and whether someone else saved first (the page then shows their change)."""

    detail: str
    reasons: list[str] = field(default_factory=list)
    stale: bool = False


@dataclass
class Shown:
    """What the page shows besides the record: forms bound to a refused post, their refusals."""

    forms: Mapping[str, forms.Form] = field(default_factory=dict)
    refusals: Mapping[str, Refusal] = field(default_factory=dict)


def chart_members(membership: Membership) -> list[tuple[int, str]]:
    """The clinic's active members who may chart a session (responsible nurse, witness), as
    (user id, name) choices; one query."""
    roles = [
        role for role, granted in ROLE_PERMISSIONS.items() if Permission.CHART_SESSION in granted
    ]
    members = (
        Membership.objects.filter(clinic_id=membership.clinic_id, is_active=True, role__in=roles)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    return [
        (m.user_id, f"{m.user.get_full_name() or m.user.get_username()} ({m.get_role_display()})")
        for m in members
    ]


def _iso(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@dataclass
class Facts:
    """What the page reads besides the chair record: each one query at most."""

    banner: tuple[str, ...]
    consent: Any
    consent_current: bool
    members: list[tuple[int, str]]
    order: Any


def _facts(membership: Membership, chair: Chair, *, charting: bool) -> Facts:
    patient = chair.session.patient
    classes = current_medications(patient).values_list("medication_class", flat=True)
    consent = latest_consent(patient)
    return Facts(
        banner=sedation_banner(classes),
        consent=consent,
        consent_current=consent_stands(consent, on=chair.session.date),
        members=chart_members(membership) if charting else [],
        order=chair.session.plan.current_order,
    )


def _default_forms(
    chair: Chair, membership: Membership, facts: Facts, *, can_chart: bool, can_decide: bool
) -> dict[str, forms.Form]:
    session = chair.session
    version = {"version": session.version}
    status = session.status
    esketamine = chair.route == ESKETAMINE
    iv = chair.route == IV_KETAMINE
    shown: dict[str, forms.Form] = {}
    if not can_chart:
        return shown
    if status in (SessionStatus.SCHEDULED, SessionStatus.IN_CHAIR):
        shown["pre_dose"] = PreDoseForm(
            initial=_pre_dose_initial(chair, membership, version),
            nurses=facts.members,
            esketamine=esketamine,
            pregnancy_relevant=pregnancy_relevant(chair),
        )
    if status == SessionStatus.IN_CHAIR and chair.pre_dose is not None:
        if can_decide and chair.pre_dose.dosing == Dosing.HOLD and not chair.pre_dose.proceed_at:
            shown["proceed"] = ProceedForm(initial=version)
        shown["dose"] = DoseForm(
            initial=version,
            iv=iv,
            witnesses=_witnesses(facts, membership),
            ask_concentration=asks_concentration(chair, facts.order),
        )
    if status == SessionStatus.DOSED:
        dose = chair.dose
        if iv and dose is not None and dose.drawn_mg is None:
            shown["count"] = CountForm(initial=version, witnesses=_witnesses(facts, membership))
        shown["reading"] = ReadingForm(initial=version)
        shown["discharge"] = DischargeForm(
            initial=version, esketamine=esketamine, may_override=can_decide
        )
    if status in (SessionStatus.IN_CHAIR, SessionStatus.DOSED):
        shown["side_effect"] = SideEffectForm(initial=version)
    if status == SessionStatus.DISCHARGED:
        shown["amend"] = AmendForm(initial=version)
    # A discharged (or cancelled) session no longer changes: its alerts and side effects are
    # shown as they stand, and amended.
    if status in (SessionStatus.IN_CHAIR, SessionStatus.DOSED):
        # An info alert is information (MON-DISSOCIATION): nothing to acknowledge.
        for alert in chair.alerts:
            if (
                alert.acknowledged_at is None
                and needs_acknowledgement(alert.level)
                and (can_decide or alert.rule != SIDE_EFFECT_RULE)
            ):
                shown[f"ack:{alert.pk}"] = AcknowledgeForm(initial={"version": alert.version})
        for effect in chair.side_effects:
            if effect.resolved_at is None:
                shown[f"resolve:{effect.pk}"] = ResolveForm(initial={"version": effect.version})
    return shown


def _witnesses(facts: Facts, membership: Membership) -> list[tuple[int, str]]:
    return [(user_id, name) for user_id, name in facts.members if user_id != membership.user_id]


def asks_concentration(chair: Chair, order: Any) -> bool:
    """IV ketamine whose signed order names no bag concentration: the dose form asks for it, so
    the volume and the pump rate are worked out and shown with the dose (SAFE-IV-RATE)."""
    return (
        chair.route == IV_KETAMINE and order is not None and order.concentration_mg_per_ml is None
    )


def pregnancy_relevant(chair: Chair) -> bool:
    """Whether the pre-dose form asks the pregnancy-status item (MON-PREG-TEST, SAFE-PREGNANCY):
    the clinical core decides whom it applies to."""
    return pregnancy_check_applies(chair.session.patient.sex_at_birth)


def _pre_dose_initial(
    chair: Chair, membership: Membership, version: dict[str, int]
) -> dict[str, Any]:
    pre = chair.pre_dose
    if pre is None:
        return {**version, "nurse": membership.user_id}
    return {
        **version,
        "chair": pre.chair,
        "nurse": pre.nurse_id,
        "identity_confirmed": pre.identity_confirmed,
        "consent_current": pre.consent_current,
        "escort_confirmed": pre.escort_confirmed,
        "escort_phone": pre.escort_phone,
        "last_food_at": _iso(pre.last_food_at),
        "last_liquid_at": _iso(pre.last_liquid_at),
        "nasal_medication_at": _iso(pre.nasal_medication_at),
        "rems_patient_enrolled": pre.rems_patient_enrolled,
        "pregnancy_status_documented": pre.pregnancy_status_documented,
    }


def _consent_note(facts: Facts) -> str:
    consent = facts.consent
    if consent is None:
        return "The chart holds no treatment consent."
    signed = consent.signed_on.isoformat()
    if facts.consent_current:
        return (
            f"The chart holds a current treatment consent (version {consent.version}, "
            f"signed {signed})."
        )
    return f"The chart's latest treatment consent (signed {signed}) is not current on this date."


def _pregnancy_note(chair: Chair) -> str:
    patient = chair.session.patient
    if patient.pregnancy_status_on is None:
        return "The chart records no pregnancy status."
    status = "pregnant" if patient.pregnant else "not pregnant"
    return f"The chart records {status} on {patient.pregnancy_status_on.isoformat()}."


def rems_form_url(chair: Chair) -> str:
    """The REMS Patient Monitoring Form's PDF of a discharged esketamine session, once the REMS
    pages are mounted (`rems:form-pdf`), else empty."""
    if chair.route != ESKETAMINE or chair.session.status != SessionStatus.DISCHARGED:
        return ""
    try:
        return reverse("rems:form-pdf", kwargs={"session_id": chair.session.pk})
    except NoReverseMatch:
        return ""


def _alert_rows(
    chair: Chair, shown: Mapping[str, forms.Form], refusals: Mapping[str, Refusal]
) -> list[dict[str, Any]]:
    dose_at = chair.dose.at if chair.dose is not None else None
    rows = []
    for alert in chair.alerts:
        rows.append(
            {
                "alert": alert,
                "words": LEVEL_WORDS.get(alert.level, alert.level),
                "minute": signed_minutes(minutes_between(dose_at, alert.at)) if dose_at else "",
                "form": shown.get(f"ack:{alert.pk}"),
                "refusal": refusals.get(f"ack:{alert.pk}"),
                "critical": alert.level == AlertLevel.CRITICAL,
                "info": not needs_acknowledgement(alert.level),
                # SAFE-AE-GRADE: a side effect's alert is the prescriber's to acknowledge.
                "for_prescriber": alert.rule == SIDE_EFFECT_RULE,
            }
        )
    # Open ones first, critical first among them; then the acknowledged, in time order (the
    # information ones are shown apart).
    rows.sort(key=lambda r: (r["alert"].acknowledged_at is not None, not r["critical"]))
    return rows


def _as_refused(
    chair: Chair, result: MonitorResult, shown: Shown, *, now: dt.datetime
) -> MonitorResult:
    """After a refused discharge, the criteria as the discharge service judged them: with the
    attestations just ticked (the refusal's reasons), not as if nobody had attested."""
    form = shown.forms.get("discharge")
    refusal = shown.refusals.get("discharge")
    data = getattr(form, "cleaned_data", None)
    if refusal is None or refusal.stale or data is None or result.discharge is None:
        return result
    try:
        judged = judge_discharge(
            chair,
            at=data.get("at") or now,
            dissociation_resolved=bool(data.get("dissociation_resolved")),
            no_driving_instructed=bool(data.get("no_driving_instructed")),
        )
    except ChairConflict:
        return result
    return replace(result, discharge=judged)


def session_context(
    request: HttpRequest,
    membership: Membership,
    chair: Chair,
    *,
    now: dt.datetime,
    shown: Shown | None = None,
) -> dict[str, Any]:
    """Everything the page and its live region show."""
    shown = shown or Shown()
    session = chair.session
    can_chart = has_permission(membership, Permission.CHART_SESSION)
    can_decide = has_permission(membership, Permission.DECIDE_SESSION)
    facts = _facts(membership, chair, charting=can_chart)
    page_forms = _default_forms(
        chair, membership, facts, can_chart=can_chart, can_decide=can_decide
    )
    # A refused form is shown again, bound, where the page still offers it; a refusal whose
    # form is gone (the session moved on) is shown at the top of the page.
    page_forms.update({k: v for k, v in shown.forms.items() if k in page_forms})
    result: MonitorResult = _as_refused(chair, judge(chair, now=now), shown, now=now)
    dose = chair.dose
    discharged = session.status == SessionStatus.DISCHARGED
    side_effects = [
        {
            "row": effect,
            "term": term_words(effect.term, effect.other_term),
            "grade": grade_words(effect.grade),
            "form": page_forms.get(f"resolve:{effect.pk}"),
            "refusal": shown.refusals.get(f"resolve:{effect.pk}"),
        }
        for effect in chair.side_effects
    ]
    alert_rows = _alert_rows(chair, page_forms, shown.refusals)
    pre = chair.pre_dose
    pre_dose_alerts = [a for a in chair.alerts if pre is not None and a.at == pre.at]
    open_critical = [
        a for a in chair.alerts if a.level == AlertLevel.CRITICAL and a.acknowledged_at is None
    ]
    return {
        "membership": membership,
        "chair": chair,
        "session": session,
        "patient": session.patient,
        "plan": session.plan,
        "order": facts.order,
        "now": now,
        "esketamine": chair.route == ESKETAMINE,
        "iv": chair.route == IV_KETAMINE,
        "discharged": discharged,
        "status": session.status,
        "can_chart": can_chart,
        "can_decide": can_decide,
        "banner": facts.banner,
        "consent": facts.consent,
        "consent_current": facts.consent_current,
        "pregnancy_relevant": pregnancy_relevant(chair),
        "consent_note": _consent_note(facts),
        "pregnancy_note": _pregnancy_note(chair),
        "pre": pre,
        "pre_vitals": vitals_line(pre) if pre is not None else "",
        "pre_dose_alerts": pre_dose_alerts,
        "hold": pre is not None and pre.dosing == Dosing.HOLD,
        "undecidable_holds": [
            a.rule
            for a in pre_dose_alerts
            if a.rule in HOLD_RULES and a.rule not in PRESCRIBER_DECIDABLE_HOLDS
        ],
        "proceeded": pre is not None and bool(pre.proceed_at),
        # What the dose service refuses on beyond the go/hold (identity, consent, REMS,
        # pregnancy), shown before the nurse tries to dose; none once the dose is recorded.
        "checklist_refusals": [
            reason.split(": ", 1)
            for reason in (checklist_refusals(chair) if pre is not None and dose is None else ())
        ],
        "dose": dose,
        "dose_steps": _steps(dose.steps) if dose is not None else [],
        "dose_preview": _preview(chair, facts, page_forms),
        "is_witness": dose is not None
        and dose.witness_id == membership.user_id
        and dose.witness_confirmed_at is None,
        "given_mg": dose.dose_mg if dose is not None else None,
        "result": result,
        "next_due": result.next_reading_due if not discharged else None,
        "due_words": due_words(result.next_reading_due, now),
        "overdue": bool(
            result.next_reading_due and not discharged and now > result.next_reading_due
        ),
        "alert_rows": alert_rows,
        # Open: unacknowledged alerts that ask for an acknowledgement; an info alert never is
        # (shown as information, kept, not counted).
        "open_alert_rows": [
            r for r in alert_rows if r["alert"].acknowledged_at is None and not r["info"]
        ],
        "info_alert_rows": [
            r for r in alert_rows if r["alert"].acknowledged_at is None and r["info"]
        ],
        "acked_alert_rows": [r for r in alert_rows if r["alert"].acknowledged_at is not None],
        "pending_alerts": [] if discharged else pending_alerts(result, chair.alerts),
        "open_critical": open_critical,
        "timeline": timeline(chair),
        "criteria": criteria(result, attesting=not discharged),
        "kept_criteria": [
            {**c, "sentence": readable_times(str(c.get("sentence", "")))}
            for c in (chair.discharge.criteria if chair.discharge is not None else [])
        ],
        "discharge_ready": bool(result.discharge and result.discharge.ready),
        # The board's judgement (dissociation attested), in the board's words.
        "ready_once_attested": (
            READY_ONCE_ATTESTED
            if not discharged
            and not (result.discharge and result.discharge.ready)
            and board_row(chair, now=now).discharge_ready
            else ""
        ),
        "side_effects": side_effects,
        "forms": page_forms,
        "refusals": shown.refusals,
        "orphan_refusals": [r for k, r in shown.refusals.items() if k not in page_forms],
        "rems_form_url": rems_form_url(chair),
        "amendments": chair.amendments,
        "monitored_min": minutes_between(dose.at, chair.discharge.at)
        if dose is not None and chair.discharge is not None
        else None,
    }


def _preview(chair: Chair, facts: Facts, page_forms: Mapping[str, forms.Form]) -> Any:
    """The dose arithmetic before the dose, where the dose form is shown (one query for the
    chart's weight on IV)."""
    if "dose" not in page_forms:
        return None
    weight = latest_weight_kg(chair.session.patient) if chair.route == IV_KETAMINE else None
    return dose_preview(chair.route, facts.order, weight)


def _steps(steps: object) -> list[str]:
    """The dose's arithmetic as kept: sentences, or `{label, expression, result}` rows."""
    lines = []
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, dict):
            text = step.get("text") or f"{step.get('expression', '')} = {step.get('result', '')}"
            label = step.get("label")
            lines.append(f"{str(label).capitalize()}: {text}" if label else str(text))
        else:
            lines.append(str(step))
    return lines


def render_page(
    request: HttpRequest,
    membership: Membership,
    chair: Chair,
    *,
    now: dt.datetime | None = None,
    shown: Shown | None = None,
    status: int = 200,
) -> HttpResponse:
    context = session_context(request, membership, chair, now=now or timezone.now(), shown=shown)
    response = render(request, PAGE, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_live(
    request: HttpRequest,
    membership: Membership,
    chair: Chair,
    *,
    now: dt.datetime | None = None,
    shown: Shown | None = None,
    status: int = 200,
    with_reading_form: bool = False,
) -> HttpResponse:
    """The live region alone (htmx): alerts, the countdown, the timeline, discharge; with the
    reading form swapped out of band after a reading was posted."""
    context = session_context(request, membership, chair, now=now or timezone.now(), shown=shown)
    context["reading_form_oob"] = with_reading_form
    context["live_response"] = True
    response = render(request, LIVE, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@membership_required(Permission.VIEW_SESSION, object_type=SESSION)
@forbidden_page
def session_page(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = get_chair_for(membership, session_id)
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render_live(request, membership, chair)
    return render_page(request, membership, chair)
