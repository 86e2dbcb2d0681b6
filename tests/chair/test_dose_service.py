"""record_dose, record_count and confirm_witness: the dose from the signed order with its
arithmetic, every gate before it, and the IV controlled-substance count with its witness."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.audit.services import flush_pending_denials
from ketacare.chair.errors import ChairConflict
from ketacare.chair.models import DoseGiven
from ketacare.chair.services import (
    confirm_witness,
    decide_proceed,
    record_count,
    record_dose,
    record_pre_dose,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.chair.conftest import ESK, WEIGHT_KG, fresh, pre_dose_values, stored
from tests.factories import (
    DoseOrderFactory,
    TreatmentPlanFactory,
    TreatmentSessionFactory,
    WeightMeasurementFactory,
)

pytestmark = pytest.mark.django_db

HOLD_SBP = int(DEFAULT_SETTINGS.value("MON-BP-HOLD", "systolic_above_mmhg")) + 1
MAX_WEIGHT = DEFAULT_SETTINGS.value("DOSE-IV-WEIGHT", "maximum_kg")
# IV_ORDER of the treatment tests: the registry's default mg/kg (0.5) over 40 min.
MG_PER_KG = DEFAULT_SETTINGS.value("DOSE-IV-MGKG", "default_mg_per_kg")
IV_DOSE_MG = Decimal(str(WEIGHT_KG * MG_PER_KG))


@pytest.fixture
def checked_in(nora):
    def check_in(session, **values):
        record_pre_dose(session=session, values=pre_dose_values(**values), by=nora)
        return session

    return check_in


# --- the dose -------------------------------------------------------------------------------


def test_esketamine_dose_is_the_orders_with_its_device_count(esk_session, checked_in, nora):
    checked_in(esk_session)
    version = fresh(esk_session).version

    outcome = record_dose(session=esk_session, lot_number=" ESK-1 ", by=nora)

    dose = DoseGiven.objects.get(session=esk_session)
    assert (dose.dose_mg, dose.devices, dose.lot_number) == (Decimal("56.0"), 2, "ESK-1")
    assert dose.steps == outcome.steps == ["Devices: 56 mg ÷ 28 mg per device = 2"]
    assert fresh(esk_session).status == "dosed"
    assert esk_session.version == version + 1
    event = AuditEvent.objects.filter(object_type="session_dose").get()
    assert f"order={dose.order_id}" in event.detail


def test_iv_dose_uses_the_charts_latest_weight(iv_session, checked_in, nora):
    checked_in(iv_session)

    outcome = record_dose(session=iv_session, lot_number="KET-9", by=nora)

    assert outcome.dose.weight_kg == Decimal(WEIGHT_KG)
    assert outcome.dose.dose_mg == IV_DOSE_MG
    assert outcome.dose.infusion_duration_min == 40
    # The order names no concentration: no volume or pump rate is made up.
    assert (outcome.dose.volume_ml, outcome.dose.rate_ml_per_h) == (None, None)
    times = "\N{MULTIPLICATION SIGN}"
    assert outcome.steps == [f"Dose: {WEIGHT_KG} kg {times} {MG_PER_KG:g} mg/kg = {IV_DOSE_MG} mg"]


def test_iv_dose_with_the_bags_concentration_shows_volume_and_rate(iv_session, checked_in, nora):
    checked_in(iv_session)

    outcome = record_dose(
        session=iv_session, lot_number="KET-9", weight_kg=80, concentration_mg_per_ml=1, by=nora
    )

    assert (outcome.dose.dose_mg, outcome.dose.volume_ml, outcome.dose.rate_ml_per_h) == (
        Decimal("40.0"),
        Decimal("40.0"),
        Decimal("60.0"),
    )
    assert [s.split(":")[0] for s in outcome.steps] == ["Dose", "Volume", "Rate"]


def test_iv_dose_without_any_weight_asks_for_one(iv_session, checked_in, nora):
    from ketacare.patients.models import WeightMeasurement

    checked_in(iv_session)
    WeightMeasurement.objects.filter(patient_id=iv_session.patient_id).delete()
    before = stored(iv_session)

    with pytest.raises(ValidationError) as refused:
        record_dose(session=iv_session, lot_number="KET-9", by=nora)

    assert set(refused.value.message_dict) == {"weight_kg"}
    assert stored(iv_session) == before


def test_the_latest_weight_is_todays(iv_session, checked_in, nora):
    WeightMeasurementFactory(
        patient=iv_session.patient, weight_kg=90, measured_on=timezone.localdate()
    )
    checked_in(iv_session)

    outcome = record_dose(session=iv_session, lot_number="KET-9", by=nora)

    assert outcome.dose.weight_kg == Decimal("90.0")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight_kg": MAX_WEIGHT + 1}, "weight_kg"),
        ({"weight_kg": 10}, "weight_kg"),
        ({"weight_kg": 70.25}, "weight_kg"),
        ({"weight_kg": True}, "weight_kg"),
        ({"concentration_mg_per_ml": 100}, "concentration_mg_per_ml"),
        ({"lot_number": ""}, "lot_number"),
        ({"lot_number": "x" * 41}, "lot_number"),
    ],
)
def test_a_dose_outside_the_limits_is_refused_naming_the_field(
    iv_session, checked_in, nora, change, field
):
    checked_in(iv_session)
    before = stored(iv_session)
    arguments = {"lot_number": "KET-9", **change}

    with pytest.raises(ValidationError) as refused:
        record_dose(session=iv_session, by=nora, **arguments)

    assert set(refused.value.message_dict) == {field}
    assert stored(iv_session) == before


def test_the_dose_time_may_not_be_before_the_pre_dose_checks_or_in_the_future(esk_session, nora):
    now = timezone.now()
    record_pre_dose(session=esk_session, values=pre_dose_values(at=now), by=nora, now=now)
    before = stored(esk_session)

    for at in (now - dt.timedelta(minutes=1), now + dt.timedelta(minutes=2)):
        with pytest.raises(ValidationError) as refused:
            record_dose(session=esk_session, lot_number="L", at=at, by=nora, now=now)
        assert set(refused.value.message_dict) == {"at"}

    assert stored(esk_session) == before


# --- gates ----------------------------------------------------------------------------------


def test_no_dose_without_the_pre_dose_checks(esk_session, nora):
    with pytest.raises(ChairConflict) as refused:
        record_dose(session=esk_session, lot_number="L", by=nora)

    assert refused.value.code == "no_pre_dose"
    assert refused.value.reasons


@pytest.mark.parametrize(
    ("change", "first_reason"),
    [
        ({"identity_confirmed": False}, "CHECK-IDENTITY"),
        ({"consent_current": False}, "CHECK-CONSENT"),
        ({"rems_patient_enrolled": None}, "MON-REMS-ENROLLED"),
    ],
)
def test_a_missing_checklist_item_stops_the_dose(
    esk_session, checked_in, nora, change, first_reason
):
    checked_in(esk_session, **change)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        record_dose(session=esk_session, lot_number="L", by=nora)

    assert refused.value.code == "checklist_incomplete"
    assert [r.split(":")[0] for r in refused.value.reasons] == [first_reason]
    assert stored(esk_session) == before


def test_the_rems_enrolment_is_not_asked_of_iv(iv_session, checked_in, nora):
    checked_in(iv_session, rems_patient_enrolled=None, rems_setting_certified=None)

    record_dose(session=iv_session, lot_number="L", by=nora)

    assert fresh(iv_session).status == "dosed"


def test_a_hold_stops_the_dose_with_its_rules(esk_session, checked_in, nora):
    checked_in(esk_session, systolic=HOLD_SBP)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        record_dose(session=esk_session, lot_number="L", by=nora)

    assert refused.value.code == "dosing_hold"
    assert [r.split(":")[0] for r in refused.value.reasons] == ["MON-BP-HOLD"]
    assert stored(esk_session) == before


def test_a_prescribers_decision_lets_the_dose_go_ahead(esk_session, checked_in, nora, alice):
    checked_in(esk_session, systolic=HOLD_SBP)
    decide_proceed(session=esk_session, reason="Benefit outweighs the risk.", by=alice)

    outcome = record_dose(session=esk_session, lot_number="L", by=nora)

    assert outcome.dose.pk is not None
    assert "proceed=yes" in AuditEvent.objects.filter(object_type="session_dose").get().detail


def test_the_rems_gate_stops_the_dose(esk_session, checked_in, nora):
    checked_in(esk_session, rems_patient_enrolled=False)

    with pytest.raises(ChairConflict) as refused:
        record_dose(session=esk_session, lot_number="L", by=nora)

    assert refused.value.code == "checklist_incomplete"
    assert "MON-REMS-ENROLLED" in refused.value.reasons[0]


def test_esketamine_spacing_counts_the_doses_actually_given(esk_session, checked_in, nora):
    # Two esketamine doses given in the last days (another, ended plan): a third in 7 days breaks
    # DOSE-ESK-MAX-FREQUENCY.
    today = timezone.localdate()
    old = TreatmentPlanFactory(
        patient=esk_session.patient, route=ESK, protocol="esketamine_trd_label", status="ended"
    )
    for days in (2, 4):
        TreatmentSessionFactory(plan=old, date=today - dt.timedelta(days=days), status="discharged")
    checked_in(esk_session)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        record_dose(session=esk_session, lot_number="L", by=nora)

    assert refused.value.code == "rule_refused"
    assert refused.value.reasons[0].startswith("DOSE-ESK-MAX-FREQUENCY:")
    assert stored(esk_session) == before


def test_booked_but_not_given_sessions_do_not_count_for_spacing(esk_session, checked_in, nora):
    today = timezone.localdate()
    old = TreatmentPlanFactory(
        patient=esk_session.patient, route=ESK, protocol="esketamine_trd_label", status="ended"
    )
    for days in (2, 4):
        TreatmentSessionFactory(plan=old, date=today - dt.timedelta(days=days), status="cancelled")
    checked_in(esk_session)

    record_dose(session=esk_session, lot_number="L", by=nora)

    assert fresh(esk_session).status == "dosed"


# --- SAFE-ESK-DOSE again at dose time: the course's first TRD dose -----------------------------

FIRST_TRD_MG = int(DEFAULT_SETTINGS.value("DOSE-ESK-FIRST-TRD", "first_dose_mg"))
ESK_STEP_MG = int(DEFAULT_SETTINGS.value("DOSE-ESK-ALLOWED", "step_mg"))


def current_order(session, dose_mg, signed_by):
    """A newer order of the session's plan for `dose_mg`, stored as it is (an order that did not
    pass today's signing check, e.g. signed while another session counted as the first)."""
    latest = session.plan.orders.order_by("-number").first()
    return DoseOrderFactory(
        plan=session.plan,
        number=latest.number + 1,
        dose_mg=dose_mg,
        dose_mg_per_kg=None,
        duration_min=None,
        signed_by=signed_by.user,
        supersedes=latest,
    )


@pytest.mark.parametrize(
    ("dose_mg", "allowed"),
    [
        (FIRST_TRD_MG - ESK_STEP_MG, True),  # the lower EU start: allowed, an info alert
        (FIRST_TRD_MG, True),
        (FIRST_TRD_MG + ESK_STEP_MG, False),
    ],
)
def test_the_first_dose_of_a_trd_course_is_checked_again_at_dose_time(
    esk_session, checked_in, nora, alice, dose_mg, allowed
):
    # Given an order above the label's first TRD dose that is the plan's current one
    current_order(esk_session, dose_mg, alice)
    checked_in(esk_session)
    before = stored(esk_session)

    # When the nurse gives the course's first dose
    if allowed:
        outcome = record_dose(session=esk_session, lot_number="L", by=nora)
        assert outcome.dose.dose_mg == Decimal(dose_mg)
        return
    with pytest.raises(ValidationError) as refused:
        record_dose(session=esk_session, lot_number="L", by=nora)

    # Then it is refused naming the dose field, by the core's rule, and nothing is saved
    assert set(refused.value.message_dict) == {"dose_mg"}
    message = refused.value.message_dict["dose_mg"][0]
    assert message.startswith("DOSE-ESK-FIRST-TRD: ")
    assert f"{FIRST_TRD_MG} mg" in message and f"{dose_mg} mg" in message
    assert stored(esk_session) == before
    assert not AuditEvent.objects.filter(object_type="session_dose").exists()


def test_after_the_courses_first_dose_a_higher_order_is_given(esk_session, checked_in, nora, alice):
    TreatmentSessionFactory(
        plan=esk_session.plan,
        number=99,
        date=timezone.localdate() - dt.timedelta(days=7),
        status="discharged",
    )
    current_order(esk_session, FIRST_TRD_MG + ESK_STEP_MG, alice)
    checked_in(esk_session)

    outcome = record_dose(session=esk_session, lot_number="L", by=nora)

    assert outcome.dose.dose_mg == Decimal(FIRST_TRD_MG + ESK_STEP_MG)


def test_a_dose_given_in_another_course_does_not_make_this_courses_first_dose_a_later_one(
    esk_session, checked_in, nora, alice
):
    old = TreatmentPlanFactory(
        patient=esk_session.patient, route=ESK, protocol="esketamine_trd_label", status="ended"
    )
    TreatmentSessionFactory(
        plan=old, date=timezone.localdate() - dt.timedelta(days=30), status="discharged"
    )
    current_order(esk_session, FIRST_TRD_MG + ESK_STEP_MG, alice)
    checked_in(esk_session)

    with pytest.raises(ValidationError) as refused:
        record_dose(session=esk_session, lot_number="L", by=nora)

    assert set(refused.value.message_dict) == {"dose_mg"}


def test_a_second_dose_is_refused(esk_session, dosed, nora):
    dosed(esk_session)
    before = stored(esk_session)

    with pytest.raises(ChairConflict) as refused:
        record_dose(session=esk_session, lot_number="L2", by=nora)

    assert refused.value.code == "already_dosed"
    assert stored(esk_session) == before


def test_a_dose_only_on_the_sessions_date(esk_session, checked_in, nora):
    checked_in(esk_session)
    tomorrow = timezone.now() + dt.timedelta(days=1)

    with pytest.raises(ChairConflict) as refused:
        record_dose(session=esk_session, lot_number="L", by=nora, now=tomorrow)

    assert refused.value.code == "not_today"


def test_two_nurses_dosing_at_once_the_second_gets_a_conflict(esk_session, checked_in, nora, alice):
    checked_in(esk_session)
    version = fresh(esk_session).version
    record_dose(session=esk_session, lot_number="L1", version=version, by=nora)

    with pytest.raises(ChairConflict) as refused:
        record_dose(session=esk_session, lot_number="L2", version=version, by=alice)

    assert refused.value.code == "stale_version"
    assert DoseGiven.objects.get(session=esk_session).lot_number == "L1"


# --- the IV count and its witness --------------------------------------------------------------


@pytest.fixture
def nina(clinic_a):
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(user=UserFactory(username="nina"), clinic=clinic_a, role="nurse")


def test_the_count_given_with_the_dose_is_witnessed_by_the_named_colleague(
    iv_session, checked_in, nora, nina
):
    checked_in(iv_session)
    wasted = Decimal("15.0")

    outcome = record_dose(
        session=iv_session,
        lot_number="KET",
        drawn_mg=IV_DOSE_MG + wasted,
        wasted_mg=wasted,
        witness_id=nina.user_id,
        by=nora,
    )
    assert outcome.dose.witness_id == nina.user_id
    assert outcome.dose.witness_confirmed_at is None

    confirmed = confirm_witness(session=iv_session, by=nina)

    assert confirmed.witness_confirmed_at is not None


@pytest.mark.parametrize(
    ("count", "field"),
    [
        ({"drawn_mg": IV_DOSE_MG + 1, "wasted_mg": 0}, "drawn_mg"),
        ({"drawn_mg": IV_DOSE_MG}, "wasted_mg"),
        ({"wasted_mg": 0}, "drawn_mg"),
        ({"drawn_mg": IV_DOSE_MG, "wasted_mg": 0}, "witness_id"),
        ({"drawn_mg": -1, "wasted_mg": 0}, "drawn_mg"),
        ({"drawn_mg": "35.05", "wasted_mg": 0}, "drawn_mg"),
    ],
)
def test_a_count_that_does_not_add_up_is_refused(iv_session, checked_in, nora, nina, count, field):
    checked_in(iv_session)
    before = stored(iv_session)

    with pytest.raises(ValidationError) as refused:
        record_dose(session=iv_session, lot_number="KET", by=nora, **count)

    assert set(refused.value.message_dict) == {field}
    assert stored(iv_session) == before


@pytest.mark.parametrize("witness", ["nora", "cora", "nell", "audrey"])
def test_the_witness_is_a_second_charting_member_of_the_clinic(
    request, iv_session, checked_in, nora, witness
):
    checked_in(iv_session)
    person = request.getfixturevalue(witness)

    with pytest.raises(ValidationError) as refused:
        record_dose(
            session=iv_session,
            lot_number="KET",
            drawn_mg=IV_DOSE_MG,
            wasted_mg=0,
            witness_id=person.user_id,
            by=nora,
        )

    assert set(refused.value.message_dict) == {"witness_id"}


def test_no_drawn_wasted_count_for_esketamine(esk_session, checked_in, nora, nina):
    checked_in(esk_session)

    with pytest.raises(ValidationError) as refused:
        record_dose(
            session=esk_session,
            lot_number="L",
            drawn_mg=56,
            wasted_mg=0,
            witness_id=nina.user_id,
            by=nora,
        )

    assert set(refused.value.message_dict) == {"drawn_mg"}


def test_the_count_after_the_dose_then_only_the_named_witness_confirms_it(
    iv_session, dosed, nora, alice, nina
):
    dosed(iv_session)

    dose = record_count(
        session=iv_session, drawn_mg=IV_DOSE_MG + 5, wasted_mg=5, witness_id=nina.user_id, by=nora
    )
    assert (dose.drawn_mg, dose.wasted_mg) == (IV_DOSE_MG + 5, Decimal(5))

    with pytest.raises(PermissionDenied):
        confirm_witness(session=iv_session, by=alice)
    # Refused inside the service's transaction: the denial is written when the request ends.
    flush_pending_denials()
    denied = AuditEvent.objects.get(allowed=False)
    assert denied.detail == "not_the_witness"
    assert DoseGiven.objects.get(session=iv_session).witness_confirmed_at is None

    confirm_witness(session=iv_session, by=nina)

    with pytest.raises(ChairConflict) as again:
        confirm_witness(session=iv_session, by=nina)
    assert again.value.code == "witnessed"
    with pytest.raises(ChairConflict) as changed:
        record_count(
            session=iv_session, drawn_mg=IV_DOSE_MG, wasted_mg=0, witness_id=alice.user_id, by=nora
        )
    assert changed.value.code == "witnessed"


def test_nothing_to_witness_without_a_count(iv_session, dosed, nina):
    dosed(iv_session)

    with pytest.raises(ChairConflict) as refused:
        confirm_witness(session=iv_session, by=nina)

    assert refused.value.code == "no_count"


def test_no_count_before_the_dose(iv_session, checked_in, nora, nina):
    checked_in(iv_session)

    with pytest.raises(ChairConflict) as refused:
        record_count(
            session=iv_session, drawn_mg=IV_DOSE_MG, wasted_mg=0, witness_id=nina.user_id, by=nora
        )

    assert refused.value.code == "not_dosed"


def test_the_witness_of_a_count_is_not_the_one_who_gave_the_dose(iv_session, dosed, nora, alice):
    dosed(iv_session)

    with pytest.raises(ValidationError) as refused:
        record_count(
            session=iv_session, drawn_mg=IV_DOSE_MG, wasted_mg=0, witness_id=nora.user_id, by=alice
        )

    assert set(refused.value.message_dict) == {"witness_id"}
