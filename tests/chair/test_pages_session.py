"""The session page at the chair: what it shows at each step, each form calling its service, and
every refusal shown on the page (422 field errors, 409 with the rules that decided or a stale
version, 403 for a role that may not, 404 for another clinic's session).

Time is frozen with time-machine at START (a Tuesday morning), so the session dated today, the
dose and the readings are where the monitoring rules expect them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from ketacare.audit.models import AuditEvent
from ketacare.chair.models import Amendment, PreDose, Reading, SessionAlert, SideEffect
from ketacare.chair.services import record_reading
from ketacare.treatment.models import TreatmentSession
from tests.chair.conftest import ESK_MIN_TIME, IV, fresh, reading_values
from tests.factories import ConsentFactory, MedicationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def minutes(n: float) -> dt.datetime:
    return START + dt.timedelta(minutes=n)


@pytest.fixture(autouse=True)
def _start(time_machine, settings):
    time_machine.move_to(START, tick=False)
    # The tests jump ahead in time (readings at +40 min, discharge after 2 h): the same signed-in
    # client goes on, as a nurse's tablet does while she keeps using it.
    settings.SESSION_IDLE_TIMEOUT_MIN = 720
    return time_machine


def page_url(session: Any) -> str:
    return reverse("chair:session", args=[session.pk])


def url(name: str, session: Any) -> str:
    return reverse(f"chair:{name}", args=[session.pk])


def pre_dose_form(session: Any, **changes: Any) -> dict[str, Any]:
    """What the pre-dose form posts for a `go` on every route."""
    data: dict[str, Any] = {
        "version": session.version,
        "chair": "Chair 4",
        "systolic": "128",
        "diastolic": "80",
        "heart_rate": "72",
        "spo2": "98",
        "respiratory_rate": "14",
        "identity_confirmed": "on",
        "consent_current": "on",
        "rems_patient_enrolled": "on",
        "pregnancy_status_documented": "on",
        "escort_confirmed": "on",
        "escort_phone": "617-555-0101",
        "last_food_at": "2026-12-01T05:30",
        "last_liquid_at": "2026-12-01T07:45",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def checked_in(client: Any, session: Any, nurse: Any, **changes: Any) -> Any:
    response = client.post(
        url("pre-dose", session), pre_dose_form(session, nurse=nurse.user_id, **changes)
    )
    assert response.status_code == 302, response.content.decode()
    return fresh(session)


def given(client: Any, session: Any, **fields: Any) -> Any:
    data = {"version": fresh(session).version, "lot_number": "ESK-2211", **fields}
    response = client.post(url("dose", session), data)
    assert response.status_code == 302, response.content.decode()
    return fresh(session)


# --- the page before the dose ------------------------------------------------------------------


def test_a_scheduled_session_shows_the_check_in_and_pre_dose_form(staff_client, nora, esk_session):
    ConsentFactory(patient=esk_session.patient, signed_on=dt.date(2026, 11, 20))

    response = staff_client(nora).get(page_url(esk_session))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Check in and record the pre-dose checks" in page
    for name in ("chair", "nurse", "identity_confirmed", "consent_current", "escort_phone",
                 "last_food_at", "last_liquid_at", "nasal_medication_at",
                 "rems_patient_enrolled", "systolic", "spo2"):  # fmt: skip
        assert f'name="{name}"' in page, name
    assert "The chart holds a current treatment consent" in page
    assert f'name="version" value="{esk_session.version}"' in page
    assert "SAFE-CNS-DEP" not in page
    assert "Not checked in yet" not in page


def test_an_iv_session_asks_no_esketamine_items_and_a_male_chart_no_pregnancy_status(
    staff_client, nora, session_today
):
    from tests.factories import PatientFactory

    patient = PatientFactory(clinic=nora.clinic, sex_at_birth="male", diagnosis="mdd")
    session = session_today(IV, patient=patient)

    page = staff_client(nora).get(page_url(session)).content.decode()

    assert 'name="nasal_medication_at"' not in page
    assert 'name="rems_patient_enrolled"' not in page
    assert 'name="pregnancy_status_documented"' not in page
    assert "The chart holds no treatment consent." in page


def test_an_interacting_medication_puts_the_sedation_banner_on_the_page(
    staff_client, nora, esk_session
):
    MedicationFactory(patient=esk_session.patient, name="Lorazepam",
                      medication_class="benzodiazepine")  # fmt: skip
    MedicationFactory(patient=esk_session.patient, name="Old opioid", medication_class="opioid",
                      stopped_on=dt.date(2026, 1, 1))  # fmt: skip

    page = staff_client(nora).get(page_url(esk_session)).content.decode()

    assert 'class="chair-banner" role="alert"' in page
    assert "SAFE-CNS-DEP" in page
    assert "benzodiazepine on the medication list" in page
    assert "opioid" not in page


def test_the_pre_dose_checks_give_go_and_offer_the_dose_with_its_arithmetic(
    staff_client, nora, esk_session
):
    client = staff_client(nora)

    session = checked_in(client, esk_session, nora)

    assert session.status == "in_chair"
    pre = PreDose.objects.get(session=session)
    assert pre.chair == "Chair 4" and pre.dosing == "go" and pre.nurse_id == nora.user_id
    page = client.get(page_url(session)).content.decode()
    assert "chair-pill-go" in page
    assert "Dose today: 56 mg (2 devices)." in page
    assert "Devices: 56 mg ÷ 28 mg per device = 2" in page
    assert 'action="{}"'.format(url("dose", session)) in page


def test_a_hold_needs_a_prescribers_decision_which_only_a_prescriber_may_record(
    staff_client, nora, alice, esk_session
):
    nurse = staff_client(nora)
    session = checked_in(nurse, esk_session, nora, systolic="150", diastolic="95")

    nurse_page = nurse.get(page_url(session)).content.decode()
    prescriber = staff_client(alice)
    prescriber_page = prescriber.get(page_url(session)).content.decode()

    assert "chair-pill-hold" in nurse_page and "MON-BP-HOLD" in nurse_page
    assert "until a prescriber records a benefit/risk decision" in nurse_page
    assert url("proceed", session) not in nurse_page
    assert url("proceed", session) in prescriber_page

    refused = nurse.post(url("proceed", session), {"version": session.version, "reason": "Ok"})
    assert refused.status_code == 403
    assert not PreDose.objects.get(session=session).proceed_at

    decided = prescriber.post(
        url("proceed", session),
        {"version": session.version, "reason": "BP 150/95 after rest; benefit outweighs risk."},
    )
    assert decided.status_code == 302
    pre = PreDose.objects.get(session=session)
    assert pre.proceed_by_id == alice.user_id
    page = nurse.get(page_url(session)).content.decode()
    assert "Decision to proceed by" in page
    assert "benefit outweighs risk" in page


def test_a_severe_pre_dose_pressure_is_a_hold_nobody_may_dose_over(
    staff_client, alice, esk_session
):
    client = staff_client(alice)
    session = checked_in(client, esk_session, alice, systolic="185", diastolic="112")

    page = client.get(page_url(session)).content.decode()

    assert "Nobody may dose over MON-BP-PREDOSE-SEVERE" in page
    assert url("proceed", session) not in page


def test_impossible_pre_dose_values_are_a_422_naming_the_field_and_nothing_is_stored(
    staff_client, nora, esk_session
):
    response = staff_client(nora).post(
        url("pre-dose", esk_session), pre_dose_form(esk_session, nurse=nora.user_id, systolic="400")
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_systolic_error"' in page
    assert 'value="400"' in page
    assert not PreDose.objects.filter(session=esk_session).exists()
    assert fresh(esk_session).status == "scheduled"


def test_a_missing_required_vital_is_a_422_from_the_form(staff_client, nora, esk_session):
    response = staff_client(nora).post(
        url("pre-dose", esk_session), pre_dose_form(esk_session, nurse=nora.user_id, spo2=None)
    )

    assert response.status_code == 422
    assert 'id="id_spo2_error"' in response.content.decode()
    assert not PreDose.objects.filter(session=esk_session).exists()


def test_a_stale_version_is_a_409_with_a_clear_message_and_nothing_is_stored(
    staff_client, nora, esk_session
):
    stale = pre_dose_form(esk_session, nurse=nora.user_id, version=esk_session.version - 1)

    response = staff_client(nora).post(url("pre-dose", esk_session), stale)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this session while you had it open" in page
    assert 'role="alert"' in page
    # The form comes back as typed, at the version now shown, so sending it again acts on it.
    assert f'name="version" value="{esk_session.version}"' in page
    assert 'value="Chair 4"' in page
    assert not PreDose.objects.filter(session=esk_session).exists()


def test_a_refused_dose_shows_the_rules_that_decided(staff_client, nora, esk_session):
    client = staff_client(nora)
    session = checked_in(client, esk_session, nora, identity_confirmed=None)

    response = client.post(
        url("dose", session), {"version": session.version, "lot_number": "ESK-1"}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved." in page
    assert "identity" in page.lower()
    assert fresh(session).status == "in_chair"


def test_the_go_hold_card_lists_the_missing_checklist_items_before_any_dose(
    staff_client, nora, esk_session
):
    client = staff_client(nora)
    session = checked_in(client, esk_session, nora, identity_confirmed=None, consent_current=None)

    page = client.get(page_url(session)).content.decode()
    card = page.split('id="pre-dose-result"', 1)[1].split("</section>", 1)[0]

    assert "CHECK-IDENTITY" in card
    assert "identity is not confirmed" in card
    assert "CHECK-CONSENT" in card


def test_re_recording_the_checks_keeps_identity_and_consent_ticked(staff_client, nora, esk_session):
    client = staff_client(nora)
    session = checked_in(client, esk_session, nora)

    page = client.get(page_url(session)).content.decode()
    form = page.split('action="' + url("pre-dose", session) + '"', 1)[1].split("</form>", 1)[0]

    for name in ("identity_confirmed", "consent_current"):
        tag = form.split(f'name="{name}"', 1)[1].split(">", 1)[0]
        assert "checked" in tag, name
    card = page.split('id="pre-dose-result"', 1)[1].split("</section>", 1)[0]
    assert "CHECK-IDENTITY" not in card


def test_a_dose_without_its_lot_number_is_a_422_on_that_field(staff_client, nora, esk_session):
    client = staff_client(nora)
    session = checked_in(client, esk_session, nora)

    response = client.post(url("dose", session), {"version": session.version, "lot_number": ""})

    assert response.status_code == 422
    assert 'id="id_lot_number_error"' in response.content.decode()
    assert fresh(session).status == "in_chair"


def test_the_dose_is_recorded_and_shown_with_its_steps_and_devices(staff_client, nora, esk_session):
    client = staff_client(nora)
    session = checked_in(client, esk_session, nora)

    session = given(client, session)

    assert session.status == "dosed"
    page = client.get(page_url(session)).content.decode()
    assert "56 mg · 2 devices" in page
    assert "lot ESK-2211" in page
    assert "Devices: 56 mg ÷ 28 mg per device = 2" in page
    assert "Next reading due" in page
    assert 'class="chair-countdown"' in page
    assert "in 40 min" in page


# --- IV: the controlled-substance count and its witness -------------------------------------------


def test_an_iv_count_is_witnessed_by_the_named_colleague_only(
    staff_client, nora, alice, iv_session
):
    nina = MembershipFactory(user=UserFactory(username="nina"), clinic=nora.clinic, role="nurse")
    client = staff_client(nora)
    session = checked_in(client, iv_session, nora)
    page = client.get(page_url(session)).content.decode()
    assert "Dose today: 35 mg" in page and "70 kg \u00d7 0.5 mg/kg = 35.0 mg" in page

    session = given(
        client, session, concentration_mg_per_ml="1", drawn_mg="40.0", wasted_mg="5.0",
        witness=str(nina.user_id),
    )  # fmt: skip

    page = client.get(page_url(session)).content.decode()
    assert "not confirmed yet" in page
    assert url("witness", session) not in page
    refused = client.post(url("witness", session), {"version": session.version})
    assert refused.status_code == 403
    witness = staff_client(nina)
    assert url("witness", session) in witness.get(page_url(session)).content.decode()
    confirmed = witness.post(url("witness", session), {"version": session.version})
    assert confirmed.status_code == 302
    assert "confirmed" in client.get(page_url(session)).content.decode()


def test_an_iv_count_that_does_not_add_up_is_a_422_on_the_page(staff_client, nora, iv_session):
    nina = MembershipFactory(user=UserFactory(username="nina"), clinic=nora.clinic, role="nurse")
    client = staff_client(nora)
    session = given(client, checked_in(client, iv_session, nora), concentration_mg_per_ml="1")

    response = client.post(
        url("count", session),
        {"version": session.version, "drawn_mg": "40.0", "wasted_mg": "1.0",
         "witness": str(nina.user_id)},
    )  # fmt: skip

    assert response.status_code == 422
    assert "field-error" in response.content.decode()
    assert fresh(session).dose.drawn_mg is None


def test_an_iv_order_without_a_concentration_asks_for_it_and_shows_the_pump_rate(
    staff_client, nora, iv_session
):
    # SAFE-IV-RATE: the pump rate is shown with its arithmetic; the order names no bag
    # concentration, so the dose form asks for it.
    client = staff_client(nora)
    session = checked_in(client, iv_session, nora)
    assert 'name="concentration_mg_per_ml"' in client.get(page_url(session)).content.decode()

    refused = client.post(url("dose", session), {"version": session.version, "lot_number": "K-1"})
    assert refused.status_code == 422
    assert fresh(session).status == "in_chair"

    session = given(client, session, concentration_mg_per_ml="1")
    dose = session.dose
    assert (dose.volume_ml, dose.rate_ml_per_h) == (35, 52.5)
    page = client.get(page_url(session)).content.decode()
    assert "35 mL at 52.5 mL/h" in page


def test_an_esketamine_dose_form_asks_no_concentration(staff_client, nora, esk_session):
    client = staff_client(nora)
    session = checked_in(client, esk_session, nora)

    assert 'name="concentration_mg_per_ml"' not in client.get(page_url(session)).content.decode()


# --- readings, alerts, acknowledgements --------------------------------------------------------


@pytest.fixture
def dosed_esk(staff_client, nora, esk_session) -> Any:
    client = staff_client(nora)
    return given(client, checked_in(client, esk_session, nora))


def reading_form(session: Any, **values: Any) -> dict[str, Any]:
    return {"version": fresh(session).version, **values}


def test_a_hypertensive_reading_shows_a_critical_alert_at_once_through_htmx(
    time_machine, staff_client, nora, dosed_esk
):
    time_machine.move_to(minutes(40), tick=False)
    client = staff_client(nora)

    response = client.post(
        url("reading", dosed_esk),
        reading_form(dosed_esk, systolic="185", diastolic="112", heart_rate="90", spo2="97",
                     moaas="4"),
        headers={"HX-Request": "true"},
    )  # fmt: skip

    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="chair-live"')
    assert 'class="chair-alert chair-alert-critical" role="alert"' in fragment
    assert "MON-BP-SEVERE" in fragment
    # The reading form and the timeline come back out of band, the form empty for the next one.
    assert 'id="reading-form"' in fragment and 'hx-swap-oob="true"' in fragment
    assert 'id="chair-timeline" class="chair-section chair-timeline" hx-swap-oob="true"' in fragment
    assert "BP 185/112" in fragment
    assert 'name="systolic" value' not in fragment
    assert Reading.objects.filter(session=dosed_esk).count() == 1


def test_a_reading_without_htmx_redirects_to_the_page(staff_client, nora, dosed_esk):
    response = staff_client(nora).post(
        url("reading", dosed_esk), reading_form(dosed_esk, systolic="130", diastolic="82")
    )

    assert response.status_code == 302
    assert response["Location"].endswith(page_url(dosed_esk) + "#chair-live")


def test_an_impossible_reading_is_a_422_on_its_field_through_htmx_and_nothing_is_stored(
    staff_client, nora, dosed_esk
):
    response = staff_client(nora).post(
        url("reading", dosed_esk),
        reading_form(dosed_esk, spo2="140"),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    fragment = response.content.decode()
    assert 'id="id_spo2_error"' in fragment
    assert 'value="140"' in fragment
    assert not Reading.objects.filter(session=dosed_esk).exists()


def test_a_reading_after_a_colleague_discharged_shows_why_and_removes_the_form(
    time_machine, staff_client, nora, alice, dosed_esk
):
    page = staff_client(nora)
    version = dosed_esk.version
    time_machine.move_to(minutes(125), tick=False)
    staff_client(alice).post(
        url("discharge", dosed_esk), discharge_form(dosed_esk, override_reason="On paper.")
    )

    response = page.post(
        url("reading", dosed_esk),
        {"version": version, "systolic": "120", "diastolic": "80"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    fragment = response.content.decode()
    assert '<div class="chair-refusal" role="alert">' in fragment
    assert '<div id="reading-form" hx-swap-oob="true" hidden></div>' in fragment
    assert not Reading.objects.filter(session=dosed_esk).exists()


def test_an_empty_reading_is_refused(staff_client, nora, dosed_esk):
    response = staff_client(nora).post(url("reading", dosed_esk), reading_form(dosed_esk))

    assert response.status_code == 422
    assert not Reading.objects.filter(session=dosed_esk).exists()


def test_an_alert_is_acknowledged_only_with_a_note(time_machine, staff_client, nora, dosed_esk):
    time_machine.move_to(minutes(40), tick=False)
    record_reading(session=dosed_esk, values=reading_values(systolic=185, diastolic=112), by=nora)
    alert = SessionAlert.objects.get(session=dosed_esk, rule="MON-BP-SEVERE")
    client = staff_client(nora)
    ack = reverse("chair:acknowledge", args=[alert.pk])

    empty = client.post(
        ack, {"version": alert.version, "note": " "}, headers={"HX-Request": "true"}
    )

    assert empty.status_code == 422
    assert f'id="ack-note-{alert.pk}-error"' in empty.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None

    done = client.post(
        ack,
        {"version": alert.version, "note": "Prescriber informed; repeat in 15 min."},
        headers={"HX-Request": "true"},
    )

    assert done.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == nora.user_id
    assert "Acknowledged by" in done.content.decode()
    assert 'role="alert"' not in done.content.decode()


def test_an_info_alert_is_shown_as_information_with_nothing_to_acknowledge(
    time_machine, staff_client, nora, dosed_esk
):
    # Given a CADSS recorded (MON-DISSOCIATION: info only) beside a warning
    time_machine.move_to(minutes(40), tick=False)
    record_reading(
        session=dosed_esk, values=reading_values(cadss=20, systolic=150, diastolic=85), by=nora
    )
    info = SessionAlert.objects.get(session=dosed_esk, rule="MON-DISSOCIATION")
    warning = SessionAlert.objects.get(session=dosed_esk, rule="MON-BP-ELEVATED")
    assert info.level == "info"

    # When the nurse opens the page
    body = staff_client(nora).get(page_url(dosed_esk)).content.decode()

    # Then the info alert is kept and shown as information, with no acknowledge form, while the
    # warning asks for its acknowledgement
    item = body.split(f'id="alert-{info.pk}"', 1)[1].split("</li>", 1)[0]
    assert 'class="chair-alert chair-alert-info"' in body
    assert "For information: nothing to acknowledge." in item
    assert reverse("chair:acknowledge", args=[info.pk]) not in body
    assert reverse("chair:acknowledge", args=[warning.pk]) in body
    assert info.acknowledged_at is None


def test_acknowledging_twice_is_a_409_shown_on_the_page_and_the_first_note_stays(
    time_machine, staff_client, nora, dosed_esk
):
    time_machine.move_to(minutes(40), tick=False)
    record_reading(session=dosed_esk, values=reading_values(systolic=185, diastolic=112), by=nora)
    alert = SessionAlert.objects.get(session=dosed_esk, rule="MON-BP-SEVERE")
    client = staff_client(nora)
    ack = reverse("chair:acknowledge", args=[alert.pk])
    client.post(ack, {"version": alert.version, "note": "Seen."})
    alert.refresh_from_db()

    again = client.post(ack, {"version": alert.version, "note": "Seen again."})

    assert again.status_code == 409
    body = again.content.decode()
    assert '<div class="chair-refusal" role="alert">' in body
    assert "This alert was acknowledged already." in body
    alert.refresh_from_db()
    assert alert.note == "Seen."


def test_an_acknowledgement_from_a_stale_page_is_a_409_with_the_stale_message(
    time_machine, staff_client, nora, dosed_esk
):
    time_machine.move_to(minutes(40), tick=False)
    record_reading(session=dosed_esk, values=reading_values(systolic=185, diastolic=112), by=nora)
    alert = SessionAlert.objects.get(session=dosed_esk, rule="MON-BP-SEVERE")
    ack = reverse("chair:acknowledge", args=[alert.pk])

    stale = staff_client(nora).post(
        ack, {"version": alert.version - 1, "note": "Seen."}, headers={"HX-Request": "true"}
    )

    assert stale.status_code == 409
    fragment = stale.content.decode()
    assert "Someone else saved this session while you had it open" in fragment
    # The note typed is kept, at the alert's version now shown.
    assert ">Seen.</textarea>" in fragment
    assert f'name="version" value="{alert.version}"' in fragment
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_an_overdue_reading_is_shown_in_red_with_words(time_machine, staff_client, nora, dosed_esk):
    time_machine.move_to(minutes(47), tick=False)

    page = staff_client(nora).get(page_url(dosed_esk)).content.decode()

    assert "chair-due chair-due-overdue" in page
    assert "Reading overdue" in page
    assert "overdue by 7 min" in page


# --- side effects ---------------------------------------------------------------------------------


def test_a_side_effect_is_recorded_with_its_grade_and_resolved_later(
    time_machine, staff_client, nora, dosed_esk
):
    client = staff_client(nora)
    time_machine.move_to(minutes(20), tick=False)

    response = client.post(
        url("side-effect", dosed_esk),
        {"version": dosed_esk.version, "term": "nausea", "grade": "2", "action": "Antiemetic"},
    )

    assert response.status_code == 302
    effect = SideEffect.objects.get(session=dosed_esk)
    assert (effect.term, effect.grade, effect.serious) == ("nausea", 2, False)
    page = client.get(page_url(dosed_esk)).content.decode()
    assert "Nausea" in page and "CTCAE grade 2" in page
    assert "2 Moderate: minimal or non-invasive intervention" in page

    time_machine.move_to(minutes(50), tick=False)
    resolved = client.post(
        reverse("chair:resolve", args=[effect.pk]), {"version": effect.version, "action": ""}
    )
    assert resolved.status_code == 302, resolved
    assert resolved["Location"].endswith("#side-effects")
    effect.refresh_from_db()
    assert effect.resolved_at == minutes(50)


def test_a_severe_side_effects_alert_is_the_prescribers_to_acknowledge(
    staff_client, nora, alice, dosed_esk
):
    nurse = staff_client(nora)
    nurse.post(
        url("side-effect", dosed_esk),
        {"version": dosed_esk.version, "term": "vomiting", "grade": "3", "action": "Fluids"},
    )
    alert = SessionAlert.objects.get(session=dosed_esk, rule="SAFE-AE-GRADE")
    ack = reverse("chair:acknowledge", args=[alert.pk])

    nurse_page = nurse.get(page_url(dosed_esk)).content.decode()
    prescriber_page = staff_client(alice).get(page_url(dosed_esk)).content.decode()

    assert "For the prescriber to acknowledge." in nurse_page
    assert f'action="{ack}"' not in nurse_page
    assert f'action="{ack}"' in prescriber_page
    assert nurse.post(ack, {"version": alert.version, "note": "Seen."}).status_code == 403


def test_an_other_side_effect_needs_its_description(staff_client, nora, dosed_esk):
    response = staff_client(nora).post(
        url("side-effect", dosed_esk), {"version": dosed_esk.version, "term": "other", "grade": "1"}
    )

    assert response.status_code == 422
    assert 'id="id_other_term_error"' in response.content.decode()
    assert not SideEffect.objects.exists()


def test_a_grade_outside_ctcae_is_refused_by_the_form(staff_client, nora, dosed_esk):
    response = staff_client(nora).post(
        url("side-effect", dosed_esk),
        {"version": dosed_esk.version, "term": "nausea", "grade": "6"},
    )

    assert response.status_code == 422
    assert (
        "Select a valid choice. 6 is not one of the available choices." in response.content.decode()
    )
    assert not SideEffect.objects.exists()


# --- discharge, the summary and amendments ----------------------------------------------


def discharge_form(session: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "version": fresh(session).version,
        "dissociation_resolved": "on",
        "no_driving_instructed": "on",
    }
    data.update(changes)
    return data


def normal_readings(nora: Any, session: Any, *at_minutes: int) -> None:
    for n in at_minutes:
        record_reading(
            session=session, values=reading_values(at=minutes(n)), by=nora, now=minutes(n)
        )


def test_discharge_is_refused_before_the_esketamine_minimum_and_allowed_after(
    time_machine, staff_client, nora, dosed_esk
):
    normal_readings(nora, dosed_esk, 40, 70, 100)
    time_machine.move_to(minutes(110), tick=False)
    client = staff_client(nora)

    page = client.get(page_url(dosed_esk)).content.decode()
    assert "chair-criterion chair-criterion-does_not_hold" in page
    assert "DISCH-ESK-MIN-TIME" in page and "No override." in page

    early = client.post(url("discharge", dosed_esk), discharge_form(dosed_esk))

    assert early.status_code == 409
    body = early.content.decode()
    assert "DISCH-ESK-MIN-TIME:" in body
    assert fresh(dosed_esk).status == "dosed"

    time_machine.move_to(START + ESK_MIN_TIME + dt.timedelta(minutes=1), tick=False)
    normal_readings(nora, dosed_esk, 120)
    done = client.post(url("discharge", dosed_esk), discharge_form(dosed_esk))

    assert done.status_code == 302, done.content.decode()
    session = fresh(dosed_esk)
    assert session.status == "discharged"
    summary = client.get(page_url(session)).content.decode()
    assert "Session summary" in summary
    assert "Discharged" in summary
    assert url("reading", session) not in summary
    assert reverse("rems:form-pdf", kwargs={"session_id": session.pk}) in summary
    assert url("amend", session) in summary


def test_a_refused_discharge_judges_the_criteria_with_the_attestations_just_ticked(
    time_machine, staff_client, nora, dosed_esk
):
    normal_readings(nora, dosed_esk, 40, 70, 100)
    time_machine.move_to(minutes(110), tick=False)
    client = staff_client(nora)

    before = client.get(page_url(dosed_esk)).content.decode()
    refused = client.post(url("discharge", dosed_esk), discharge_form(dosed_esk))

    assert refused.status_code == 409
    page = refused.content.decode()

    def criterion(body: str, rule: str) -> str:
        return body.split(f"<code>{rule}</code>", 1)[0].rsplit("<li ", 1)[1]

    assert "does_not_hold" in criterion(before, "DISCH-DISSOCIATION")
    assert "chair-criterion-holds" in criterion(page, "DISCH-DISSOCIATION")
    assert "does_not_hold" in criterion(page, "DISCH-ESK-MIN-TIME")
    tick = page.split('name="dissociation_resolved"', 1)[1].split(">", 1)[0]
    assert "checked" in tick
    assert f'data-page-url="{page_url(dosed_esk)}"' in page


def test_a_nurse_may_not_override_a_discharge_criterion(
    time_machine, staff_client, nora, dosed_esk
):
    time_machine.move_to(minutes(130), tick=False)

    response = staff_client(nora).post(
        url("discharge", dosed_esk), discharge_form(dosed_esk, override_reason="Looks fine.")
    )

    assert response.status_code == 403
    assert fresh(dosed_esk).status == "dosed"


def test_a_prescriber_overrides_with_a_reason_but_never_the_esketamine_minimum(
    time_machine, staff_client, alice, nora, dosed_esk
):
    client = staff_client(alice)
    time_machine.move_to(minutes(100), tick=False)
    page = client.get(page_url(dosed_esk)).content.decode()
    assert 'name="override_reason"' in page

    early = client.post(
        url("discharge", dosed_esk), discharge_form(dosed_esk, override_reason="Stable.")
    )
    assert early.status_code == 409
    assert "DISCH-ESK-MIN-TIME" in early.content.decode()

    # After the minimum, without readings: DISCH-BP and the others are overridden in writing.
    time_machine.move_to(minutes(125), tick=False)
    done = client.post(
        url("discharge", dosed_esk),
        discharge_form(dosed_esk, override_reason="Readings on paper during a power cut."),
    )
    assert done.status_code == 302, done.content.decode()
    summary = client.get(page_url(dosed_esk)).content.decode()
    assert "Overridden by a prescriber" in summary
    assert "Readings on paper during a power cut." in summary


def test_a_discharged_session_is_amended_not_edited(time_machine, staff_client, alice, dosed_esk):
    time_machine.move_to(minutes(125), tick=False)
    client = staff_client(alice)
    client.post(url("discharge", dosed_esk), discharge_form(dosed_esk, override_reason="Paper."))
    session = fresh(dosed_esk)

    reading = client.post(url("reading", session), reading_form(session, systolic="120"))
    assert reading.status_code == 409
    assert "amendment" in reading.content.decode()

    amended = client.post(
        url("amend", session), {"version": session.version, "text": "BP 122/80 at leaving."}
    )
    assert amended.status_code == 302
    assert Amendment.objects.get(session=session).text == "BP 122/80 at leaving."
    assert "BP 122/80 at leaving." in client.get(page_url(session)).content.decode()


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["bob", "nell"])
def test_another_clinics_staff_get_404_on_the_page_and_its_forms(
    request, staff_client, person, dosed_esk
):
    outsider = request.getfixturevalue(person)
    client = staff_client(outsider)

    assert client.get(page_url(dosed_esk)).status_code == 404
    posted = client.post(url("reading", dosed_esk), reading_form(dosed_esk, systolic="120"))
    assert posted.status_code == 404
    assert not Reading.objects.exists()
    denied = AuditEvent.objects.filter(actor_user_id=outsider.user_id, allowed=False)
    assert denied.exists()


def test_a_coordinator_gets_403_and_no_session_link_on_today(staff_client, cora, dosed_esk):
    client = staff_client(cora)

    assert client.get(page_url(dosed_esk)).status_code == 403
    today = client.get(reverse("treatment:today")).content.decode()
    assert page_url(dosed_esk) not in today


@pytest.mark.parametrize("person", ["adam", "audrey"])
def test_readers_see_the_page_without_forms_and_may_not_chart(
    request, staff_client, person, dosed_esk
):
    reader = request.getfixturevalue(person)
    client = staff_client(reader)

    page = client.get(page_url(dosed_esk)).content.decode()
    assert "Next reading due" in page
    assert url("reading", dosed_esk) not in page
    assert (
        client.post(url("reading", dosed_esk), reading_form(dosed_esk, systolic="120")).status_code
        == 403
    )
    assert not Reading.objects.exists()


def test_today_and_the_patients_sessions_link_to_the_session_page(staff_client, nora, dosed_esk):
    client = staff_client(nora)

    today = client.get(reverse("treatment:today")).content.decode()
    sessions = client.get(
        reverse("treatment:patient-sessions", args=[dosed_esk.patient_id])
    ).content.decode()

    assert f'href="{page_url(dosed_esk)}"' in today
    assert f'href="{page_url(dosed_esk)}"' in sessions


# --- the cost of the page -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 60])
def test_the_page_costs_the_same_queries_for_5_and_60_readings(
    time_machine, staff_client, nora, dosed_esk, django_assert_num_queries, count
):
    for n in range(count):
        Reading.objects.create(
            clinic_id=dosed_esk.clinic_id, patient_id=dosed_esk.patient_id, session=dosed_esk,
            at=minutes(1 + n), systolic=130, diastolic=80, spo2=98, moaas=5,
            recorded_by=nora.user, recorded_at=minutes(1 + n),
        )  # fmt: skip
    time_machine.move_to(minutes(90), tick=False)
    client = staff_client(nora)

    # Session, user, MFA device, membership; the session with its one-to-one rows joined and one
    # query each for readings, alerts, side effects and amendments; the audit chain's head and
    # the read event (one round trip on PostgreSQL); the chart's consent and current
    # medication classes, the clinic's charting members (nurse and witness choices), the plan's
    # signed orders; the session saved with the acting clinic (savepoint, update, release).
    with django_assert_num_queries(18 - (connection.vendor == "postgresql")):
        response = client.get(page_url(dosed_esk))

    assert response.content.decode().count('class="chair-entry chair-entry-reading') == count
    assert TreatmentSession.objects.get(pk=dosed_esk.pk).status == "dosed"
