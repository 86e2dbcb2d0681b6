"""The session page's forms: each one posts here, calls one chair service and comes back.

    POST /sessions/<id>/pre-dose/      check-in, pre-dose checklist and vitals -> go / hold
    POST /sessions/<id>/proceed/       a prescriber's decision to dose over a hold
    POST /sessions/<id>/dose/          the dose (IV: drawn, wasted and the witness)
    POST /sessions/<id>/count/         the IV count after the dose
    POST /sessions/<id>/witness/       the named witness confirms the count
    POST /sessions/<id>/readings/      a reading (htmx: the live region and a fresh form)
    POST /alerts/<id>/acknowledge/     acknowledge an alert with a note (htmx: the live region)
    POST /sessions/<id>/side-effects/  a side effect
    POST /side-effects/<id>/resolve/   a side effect's resolution
    POST /sessions/<id>/discharge/     discharge (a prescriber may override with a reason)
    POST /sessions/<id>/amendments/    an amendment to a discharged session

Success redirects to the page (or, for htmx, answers its live region). A refusal shows the page
again with the form as posted: 422 with the field's message, 409 with the service's sentence and
the rules that decided (a stale `version`: someone saved first, and the page shows their
change), the 403 page for a role that may not, 404 for another clinic's session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketacare.api.errors import Conflict
from ketacare.audit.models import Action
from ketacare.chair import services
from ketacare.chair.errors import ChairConflictCode, stale_version
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
from ketacare.chair.presentation import readable_times
from ketacare.chair.queries import get_alert_for, get_chair_for, get_side_effect_for
from ketacare.chair.state import Chair, load_chair
from ketacare.chair.views import (
    Refusal,
    Shown,
    asks_concentration,
    chart_members,
    forbidden_page,
    pregnancy_relevant,
    render_live,
    render_page,
)
from ketacare.clinical.monitoring import ESKETAMINE, IV_KETAMINE
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import membership_required
from ketacare.treatment.queries import SESSION

STALE = (
    "Someone else saved this session while you had it open; the page now shows their change. "
    "Check it, then send your form again."
)

Call = Callable[[Chair, Any], object]


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _refusal(conflict: Conflict) -> Refusal:
    if conflict.code == ChairConflictCode.STALE_VERSION:
        return Refusal(STALE, [], stale=True)
    return Refusal(readable_times(conflict.detail), [readable_times(r) for r in conflict.reasons])


def _fresh_version(form: forms.Form, version: int) -> None:
    """A refused form keeps what was typed but takes the version now shown, so sending it again
    acts on what the person sees."""
    if form.is_bound:
        form.data = form.data.copy()
        form.data["version"] = str(version)


def _act(
    request: HttpRequest,
    membership: Membership,
    chair: Chair,
    *,
    key: str,
    form: forms.Form,
    call: Call,
    done: str,
    anchor: str,
    live: bool = False,
    version_of: Callable[[Chair], int] | None = None,
) -> HttpResponse:
    """Validate `form`, call the service, answer: the page again (or the live region) with
    the form and its refusal, or a redirect to the page after success."""
    status = 422
    refusal: Refusal | None = None
    if form.is_valid():
        try:
            call(chair, form)
        except ValidationError as error:
            form.add_service_errors(error)  # type: ignore[attr-defined]
        except Conflict as conflict:
            status = 409
            refusal = _refusal(conflict)
        else:
            session_id = chair.session.pk
            if live and _htmx(request):
                fresh = _reload(chair)
                return render_live(request, membership, fresh, with_reading_form=key == "reading")
            messages.success(request, done)
            return HttpResponseRedirect(reverse("chair:session", args=[session_id]) + f"#{anchor}")
    fresh = _reload(chair)
    _fresh_version(form, version_of(fresh) if version_of else fresh.session.version)
    shown = Shown(forms={key: form}, refusals={key: refusal} if refusal else {})
    if live and _htmx(request):
        return render_live(
            request, membership, fresh, shown=shown, status=status,
            with_reading_form=key == "reading",
        )  # fmt: skip
    return render_page(request, membership, fresh, shown=shown, status=status)


def _reload(chair: Chair) -> Chair:
    """The chair as it is now (after a save or someone else's)."""
    session = chair.session
    return load_chair(session.pk, session.clinic_id) or chair


def _charting(membership: Membership, session_id: int) -> Chair:
    return get_chair_for(
        membership,
        session_id,
        permission=Permission.CHART_SESSION,
        action=Action.UPDATE,
        audit_read=False,
    )


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST only, signed in for a clinic with VIEW_SESSION (the service asks for the rest),
    the 403 page for a refusal inside the clinic."""
    guarded = membership_required(
        Permission.VIEW_SESSION, object_type=SESSION, action=Action.UPDATE
    )(forbidden_page(view))
    return require_POST(guarded)


# --- check-in and pre-dose ---------------------------------------------------------------------


@_guard
def pre_dose(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = _charting(membership, session_id)
    form = PreDoseForm(
        request.POST,
        nurses=chart_members(membership),
        esketamine=chair.route == ESKETAMINE,
        pregnancy_relevant=pregnancy_relevant(chair),
    )

    def call(chair: Chair, form: Any) -> object:
        return services.record_pre_dose(
            session=chair.session,
            values=services.PreDoseInput(**form.values()),
            version=form.cleaned_data["version"],
            by=membership,
        )

    return _act(
        request, membership, chair, key="pre_dose", form=form, call=call,
        done="Pre-dose checks recorded.", anchor="pre-dose",
    )  # fmt: skip


@_guard
def proceed(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = get_chair_for(
        membership,
        session_id,
        permission=Permission.DECIDE_SESSION,
        action=Action.UPDATE,
        audit_read=False,
    )
    form = ProceedForm(request.POST)

    def call(chair: Chair, form: Any) -> object:
        return services.decide_proceed(
            session=chair.session,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
            by=membership,
        )

    return _act(
        request, membership, chair, key="proceed", form=form, call=call,
        done="Decision to proceed recorded.", anchor="pre-dose",
    )  # fmt: skip


# --- the dose and the controlled-substance count -----------------------------------------------


def _witnesses(membership: Membership) -> list[tuple[int, str]]:
    return [(uid, name) for uid, name in chart_members(membership) if uid != membership.user_id]


@_guard
def dose(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = _charting(membership, session_id)
    iv = chair.route == IV_KETAMINE
    form = DoseForm(
        request.POST,
        iv=iv,
        witnesses=_witnesses(membership) if iv else [],
        ask_concentration=asks_concentration(chair, chair.session.plan.current_order),
    )

    def call(chair: Chair, form: Any) -> object:
        data = form.cleaned_data
        return services.record_dose(
            session=chair.session,
            at=data.get("at"),
            lot_number=data["lot_number"],
            weight_kg=data.get("weight_kg"),
            concentration_mg_per_ml=data.get("concentration_mg_per_ml"),
            drawn_mg=data.get("drawn_mg"),
            wasted_mg=data.get("wasted_mg"),
            witness_id=data.get("witness"),
            version=data["version"],
            by=membership,
        )

    return _act(
        request, membership, chair, key="dose", form=form, call=call,
        done="Dose recorded.", anchor="dose",
    )  # fmt: skip


@_guard
def count(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = _charting(membership, session_id)
    form = CountForm(request.POST, witnesses=_witnesses(membership))

    def call(chair: Chair, form: Any) -> object:
        data = form.cleaned_data
        return services.record_count(
            session=chair.session,
            drawn_mg=data["drawn_mg"],
            wasted_mg=data["wasted_mg"],
            witness_id=data["witness"],
            version=data["version"],
            by=membership,
        )

    return _act(
        request, membership, chair, key="count", form=form, call=call,
        done="Count recorded; the witness confirms it signed in as themselves.", anchor="dose",
    )  # fmt: skip


class _VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def add_service_errors(self, error: ValidationError) -> None:
        self.add_error(None, error.messages)


@_guard
def witness(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = _charting(membership, session_id)

    def call(chair: Chair, form: Any) -> object:
        _check_version(chair, form.cleaned_data["version"])
        return services.confirm_witness(session=chair.session, by=membership)

    return _act(
        request, membership, chair, key="witness", form=_VersionForm(request.POST), call=call,
        done="Count confirmed as witness.", anchor="dose",
    )  # fmt: skip


def _check_version(chair: Chair, version: int) -> None:
    """Confirming the count takes no `version` in the service: the page still refuses a form
    sent from a page older than the session, so nobody confirms a count they did not see. The
    service's own lock decides a race; this catches the stale page."""
    if chair.session.version != version:
        raise stale_version()


# --- readings and alerts ---------------------------------------------------------------------


@_guard
def reading(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = _charting(membership, session_id)
    form = ReadingForm(request.POST)

    def call(chair: Chair, form: Any) -> object:
        return services.record_reading(
            session=chair.session,
            values=services.ReadingInput(**form.values()),
            version=form.cleaned_data["version"],
            by=membership,
        )

    return _act(
        request, membership, chair, key="reading", form=form, call=call,
        done="Reading recorded.", anchor="chair-live", live=True,
    )  # fmt: skip


@_guard
def acknowledge(request: HttpRequest, alert_id: int, *, membership: Membership) -> HttpResponse:
    alert = get_alert_for(membership, alert_id)
    chair = _charting(membership, alert.session_id)
    form = AcknowledgeForm(request.POST)

    def call(chair: Chair, form: Any) -> object:
        return services.acknowledge_alert(
            alert=alert,
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
            by=membership,
        )

    def alert_version(fresh: Chair) -> int:
        return next((a.version for a in fresh.alerts if a.pk == alert.pk), alert.version)

    return _act(
        request, membership, chair, key=f"ack:{alert.pk}", form=form, call=call,
        done="Alert acknowledged.", anchor=f"alert-{alert.pk}", live=True,
        version_of=alert_version,
    )  # fmt: skip


# --- side effects ------------------------------------------------------------------------------


@_guard
def side_effect(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = _charting(membership, session_id)
    form = SideEffectForm(request.POST)

    def call(chair: Chair, form: Any) -> object:
        data = form.cleaned_data
        return services.record_side_effect(
            session=chair.session,
            term=data["term"],
            other_term=data["other_term"],
            grade=data["grade"],
            serious=data["serious"],
            onset_at=data.get("onset_at"),
            resolved_at=data.get("resolved_at"),
            action=data["action"],
            by=membership,
        )

    return _act(
        request, membership, chair, key="side_effect", form=form, call=call,
        done="Side effect recorded.", anchor="side-effects",
    )  # fmt: skip


@_guard
def resolve(request: HttpRequest, side_effect_id: int, *, membership: Membership) -> HttpResponse:
    effect = get_side_effect_for(membership, side_effect_id)
    chair = _charting(membership, effect.session_id)
    form = ResolveForm(request.POST)

    def call(chair: Chair, form: Any) -> object:
        data = form.cleaned_data
        return services.resolve_side_effect(
            side_effect=effect,
            resolved_at=data.get("resolved_at") or timezone.now(),
            action=data["action"],
            version=data["version"],
            by=membership,
        )

    def effect_version(fresh: Chair) -> int:
        return next((e.version for e in fresh.side_effects if e.pk == effect.pk), effect.version)

    return _act(
        request, membership, chair, key=f"resolve:{effect.pk}", form=form, call=call,
        done="Side effect resolved.", anchor="side-effects", version_of=effect_version,
    )  # fmt: skip


# --- discharge and amendments -------------------------------------------------------------------


@_guard
def discharge(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = _charting(membership, session_id)
    may_override = "override_reason" in request.POST
    form = DischargeForm(
        request.POST, esketamine=chair.route == ESKETAMINE, may_override=may_override
    )

    def call(chair: Chair, form: Any) -> object:
        data = form.cleaned_data
        return services.discharge_session(
            session=chair.session,
            at=data.get("at"),
            dissociation_resolved=data["dissociation_resolved"],
            no_driving_instructed=data["no_driving_instructed"],
            override_reason=(data.get("override_reason") or "").strip() or None,
            ready_without_minimum_min=data.get("ready_without_minimum_min"),
            version=data["version"],
            by=membership,
        )

    return _act(
        request, membership, chair, key="discharge", form=form, call=call,
        done="Discharged.", anchor="top", live=False,
    )  # fmt: skip


@_guard
def amend(request: HttpRequest, session_id: int, *, membership: Membership) -> HttpResponse:
    chair = _charting(membership, session_id)
    form = AmendForm(request.POST)

    def call(chair: Chair, form: Any) -> object:
        return services.amend_session(
            session=chair.session, text=form.cleaned_data["text"], by=membership
        )

    return _act(
        request, membership, chair, key="amend", form=form, call=call,
        done="Amendment added.", anchor="amendments",
    )  # fmt: skip
