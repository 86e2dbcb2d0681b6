"""POST /api/v1/sessions/{id}/reschedule and /cancel: the protocol decides, a reason is required."""

from __future__ import annotations

import datetime as dt

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.clinical.protocols import PROTOCOLS
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.treatment.models import SessionStatus, TreatmentSession
from tests.treatment.conftest import ESK_ORDER, sessions

MOVE = "/api/v1/sessions/{}/reschedule"
CANCEL = "/api/v1/sessions/{}/cancel"
IV_SPACING = PROTOCOLS["iv_induction_3x_weekly"].spacing.rule


@pytest.fixture
def plan(make_plan, patient_a, eligible_iv):
    return make_plan(patient_a)


def move(session: TreatmentSession, day: dt.date, **changes: object) -> dict[str, object]:
    return {
        "date": day.isoformat(),
        "reason": "Patient asked",
        "version": session.version,
        **changes,
    }


def test_a_move_closer_than_the_spacing_rule_is_refused_naming_the_rule(api, cora, plan):
    _, second, third, *_ = sessions(plan)
    apart = DEFAULT_SETTINGS.value(IV_SPACING, "minimum_days_apart")
    too_close = second.date + dt.timedelta(days=apart - 1)

    response = api(cora, "post", MOVE.format(third.pk), move(third, too_close))

    assert response.status_code == 409
    (reason,) = response.json()["reasons"]
    assert reason.startswith(f"{IV_SPACING}: session 3 on {too_close.isoformat()}")
    third.refresh_from_db()
    assert (third.date, third.version) == (third.planned_date, 1)


def test_a_move_past_the_following_session_is_refused(api, cora, plan):
    *_, third, fourth, _, _ = sessions(plan)

    response = api(cora, "post", MOVE.format(third.pk), move(third, fourth.date))

    assert response.status_code == 409
    assert response.json()["reasons"][0].startswith(f"{IV_SPACING}: session 4")


def test_a_later_move_is_allowed_with_a_warning_when_the_frequency_is_no_longer_met(
    api, cora, plan
):
    *_, fifth, sixth = sessions(plan)
    later = fifth.date + dt.timedelta(days=6)  # a Tuesday: 3/week is at most 3 days apart

    response = api(cora, "post", MOVE.format(sixth.pk), move(sixth, later, time="09:30"))

    assert response.status_code == 200
    document = response.json()
    assert (document["date"], document["time"], document["version"]) == (
        later.isoformat(),
        "09:30:00",
        2,
    )
    assert document["planned_date"] == sixth.planned_date.isoformat()
    assert document["change_reason"] == "Patient asked"
    (warning,) = document["warnings"]
    assert warning.startswith("iv_induction_3x_weekly: session 6")
    event = AuditEvent.objects.filter(object_type="treatment_session", action="update").get()
    assert (event.object_id, event.actor_username) == (str(sixth.pk), "cora")
    assert "Patient" not in event.detail


def test_an_earlier_move_is_allowed_with_a_warning_when_the_next_session_is_left_too_far(
    api, cora, make_plan, patient_a, eligible_esketamine
):
    plan = make_plan(patient_a, "esketamine_trd_label", ESK_ORDER)
    protocol = PROTOCOLS["esketamine_trd_label"]
    first_weekly = (protocol.phases[0].steps[0].sessions or 0) + 1
    every_week = sessions(plan)[first_weekly - 2 :]
    last_twice_weekly, weekly, moved, following = every_week[:4]
    window = DEFAULT_SETTINGS.value("DOSE-ESK-MAX-FREQUENCY", "window_days")
    earlier = last_twice_weekly.date + dt.timedelta(days=window)  # keeps the 7-day limit
    assert weekly.date < earlier < moved.date
    gap = (following.date - earlier).days

    response = api(cora, "post", MOVE.format(moved.pk), move(moved, earlier))

    assert response.status_code == 200
    warning = response.json()["warnings"][0]
    assert warning.startswith(f"esketamine_trd_label: session {following.number} ")
    assert f"would be {gap} days after session {moved.number} on {earlier.isoformat()}" in warning


def test_a_move_onto_a_day_the_clinic_is_closed_is_allowed_with_a_warning(api, alice, plan):
    *_, sixth = sessions(plan)
    saturday = sixth.date + dt.timedelta(days=(5 - sixth.date.weekday()) % 7)

    response = api(alice, "post", MOVE.format(sixth.pk), move(sixth, saturday))

    assert response.status_code == 200
    assert any("not one of the plan's clinic days" in w for w in response.json()["warnings"])


def test_a_third_esketamine_session_in_seven_days_is_refused(
    api, cora, make_plan, patient_a, eligible_esketamine
):
    plan = make_plan(patient_a, "esketamine_trd_label", ESK_ORDER)
    first, second, third, *_ = sessions(plan)
    apart = DEFAULT_SETTINGS.value("PROT-ESKETAMINE-TRD-LABEL-SPACING", "minimum_days_apart")
    window = DEFAULT_SETTINGS.value("DOSE-ESK-MAX-FREQUENCY", "window_days")
    inside_week = first.date + dt.timedelta(days=window - 1)
    assert (inside_week - second.date).days >= apart  # the spacing alone would allow it

    response = api(cora, "post", MOVE.format(third.pk), move(third, inside_week))

    assert response.status_code == 409
    (reason,) = response.json()["reasons"]
    assert reason.startswith("DOSE-ESK-MAX-FREQUENCY: ")


def test_a_date_before_today_is_a_422_naming_date(api, cora, plan):
    first = sessions(plan)[0]

    response = api(cora, "post", MOVE.format(first.pk), move(first, dt.date(2020, 1, 6)))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "date"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_move_without_a_reason_is_a_422(api, cora, plan, reason):
    first = sessions(plan)[0]
    document = move(first, first.date)
    if reason is None:
        del document["reason"]
    else:
        document["reason"] = reason

    response = api(cora, "post", MOVE.format(first.pk), document)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"


def test_a_stale_version_is_a_409(api, cora, plan):
    *_, sixth = sessions(plan)
    later = sixth.date + dt.timedelta(days=1)
    assert api(cora, "post", MOVE.format(sixth.pk), move(sixth, later)).status_code == 200

    response = api(cora, "post", MOVE.format(sixth.pk), move(sixth, later))

    assert response.status_code == 409
    assert "reasons" not in response.json()


@pytest.mark.parametrize("status", ["in_chair", "dosed", "discharged", "cancelled"])
def test_only_a_scheduled_session_can_be_moved(api, cora, plan, status):
    *_, sixth = sessions(plan)
    TreatmentSession.objects.filter(pk=sixth.pk).update(status=status)

    response = api(cora, "post", MOVE.format(sixth.pk), move(sixth, sixth.date))

    assert response.status_code == 409
    assert status in response.json()["detail"]


@pytest.mark.parametrize("person", ["nora", "audrey"])
def test_roles_that_do_not_schedule_get_403(api, request, person, plan):
    first = sessions(plan)[0]

    response = api(
        request.getfixturevalue(person), "post", MOVE.format(first.pk), move(first, first.date)
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow schedule_session."}


def test_another_clinic_gets_404(api, bob, plan):
    first = sessions(plan)[0]

    assert api(bob, "post", MOVE.format(first.pk), move(first, first.date)).status_code == 404
    assert (
        api(bob, "post", CANCEL.format(first.pk), {"reason": "x", "version": 1}).status_code == 404
    )


def test_a_coordinator_sees_no_dose_in_the_answer_and_a_prescriber_does(api, cora, alice, plan):
    *_, fifth, sixth = sessions(plan)

    as_cora = api(cora, "post", MOVE.format(sixth.pk), move(sixth, sixth.date))
    as_alice = api(alice, "post", MOVE.format(fifth.pk), move(fifth, fifth.date))

    assert as_cora.json()["dose"] is None
    assert as_alice.json()["dose"] == fifth.dose_text


# --- cancel ----------------------------------------------------------------------------------


def test_a_session_is_cancelled_with_a_reason(api, cora, plan):
    first = sessions(plan)[0]

    response = api(cora, "post", CANCEL.format(first.pk), {"reason": "Unwell", "version": 1})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["change_reason"]) == ("cancelled", "Unwell")
    first.refresh_from_db()
    assert first.status == SessionStatus.CANCELLED
    assert first.history.count() == 2


@pytest.mark.parametrize("body", [{"version": 1}, {"reason": "", "version": 1}])
def test_a_cancel_without_a_reason_is_a_422(api, cora, plan, body):
    first = sessions(plan)[0]

    response = api(cora, "post", CANCEL.format(first.pk), body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    first.refresh_from_db()
    assert first.status == SessionStatus.SCHEDULED


def test_a_cancelled_session_cannot_be_cancelled_again(api, cora, plan):
    first = sessions(plan)[0]
    api(cora, "post", CANCEL.format(first.pk), {"reason": "Unwell", "version": 1})

    response = api(cora, "post", CANCEL.format(first.pk), {"reason": "Again", "version": 2})

    assert response.status_code == 409


def test_a_cancelled_session_no_longer_counts_for_the_spacing(api, cora, plan):
    first, second, third, *_ = sessions(plan)
    api(cora, "post", CANCEL.format(second.pk), {"reason": "Unwell", "version": 1})
    apart = DEFAULT_SETTINGS.value(IV_SPACING, "minimum_days_apart")

    response = api(
        cora, "post", MOVE.format(third.pk), move(third, first.date + dt.timedelta(days=apart))
    )

    assert response.status_code == 200
