"""OUT-EARLY-WARNING / SAFE-RELAPSE-WARN: a worsening after response or remission raises one
prescriber alert per episode, whatever records the scale; never for a non-responder."""

from __future__ import annotations

import pytest

from ketacare.audit.models import AuditEvent
from ketacare.outcomes.early_warning import RULE_ID, warning_message
from ketacare.outcomes.models import OutcomeAlert
from tests.outcomes.trajectory_helpers import phq9_answers

pytestmark = pytest.mark.django_db

# MADRS answers adding up to a total, item 10 (suicidal thoughts) kept at 0.
MADRS = {34: [4, 4, 4, 4, 4, 4, 4, 3, 3, 0], 10: [2, 2, 2, 1, 1, 1, 1, 0, 0, 0],
         18: [2, 2, 2, 2, 2, 2, 2, 2, 2, 0]}  # fmt: skip


def _record(staff_scale, patient, totals: list[int], first_days_ago: int = 70) -> list:
    """PHQ-9 totals a week apart, the last one most recent."""
    return [
        staff_scale(patient, "phq9", phq9_answers(total), days_ago=first_days_ago - 7 * i)
        for i, total in enumerate(totals)
    ]


def _warnings(patient) -> list[OutcomeAlert]:
    return list(
        OutcomeAlert.objects.filter(patient_id=patient.pk, kind="early_warning").order_by("pk")
    )


def test_a_rise_of_the_mcid_above_the_nadir_after_remission_warns_once(staff_scale, patient_a):
    # 20 -> 8 (response) -> 4 (remission, nadir) -> 10: 6 points above the nadir (PHQ-9 MCID 5).
    recorded = _record(staff_scale, patient_a, [20, 8, 4, 10])
    (alert,) = _warnings(patient_a)
    assert alert.rule_id == RULE_ID
    assert alert.assessment_id == recorded[-1].pk
    assert alert.message.startswith("PHQ-9: consider booster/maintenance.")
    assert "6 points above the nadir 4" in alert.message
    assert alert.acknowledged_at is None and alert.booster_session_id is None
    assert AuditEvent.objects.filter(
        object_type="outcome_alert", object_id=str(alert.pk), action="create"
    ).exists()
    # Later answers that still warn, in the same episode (no relapse: 9 < 10), add nothing.
    _record(staff_scale, patient_a, [9, 9], first_days_ago=14)
    assert len(_warnings(patient_a)) == 1


def test_no_warning_for_a_non_responder(staff_scale, patient_a):
    _record(staff_scale, patient_a, [20, 18, 16, 19, 22])
    assert _warnings(patient_a) == []


def test_no_warning_while_still_well(staff_scale, patient_a):
    # 20 -> 8 -> 4 -> 8: 4 points above the nadir, still 60 % below baseline.
    _record(staff_scale, patient_a, [20, 8, 4, 8])
    assert _warnings(patient_a) == []


def test_a_new_episode_after_relapse_and_recovery_may_warn_again(staff_scale, patient_a):
    # Warned at 10; 12 completes a relapse (10, 12 >= 10, 7 days apart); 3 is a recovery (a new
    # episode); 9 is 6 above the nadir 3: a second warning.
    _record(staff_scale, patient_a, [20, 8, 4, 10, 12, 3, 9])
    assert len(_warnings(patient_a)) == 2


def test_madrs_warns_only_when_the_response_is_lost(staff_scale, patient_a):
    # No verified MADRS MCID: 34 -> 10 (response, remission) -> 18 is no longer 50 % below 34.
    for i, total in enumerate([34, 10]):
        staff_scale(patient_a, "madrs", MADRS[total], days_ago=30 - 7 * i)
    assert _warnings(patient_a) == []
    staff_scale(patient_a, "madrs", MADRS[18], days_ago=2)
    (alert,) = _warnings(patient_a)
    assert alert.message.startswith("MADRS: consider booster/maintenance.")
    assert "no longer at least 50% below the baseline 34" in alert.message


def test_other_scales_never_warn(staff_scale, patient_a):
    staff_scale(patient_a, "cadss", [0] * 23, days_ago=1)
    assert _warnings(patient_a) == []


def test_the_message_fits_its_column():
    text = warning_message("phq9", ("OUT-EARLY-WARNING: " + "x" * 600,))
    assert len(text) == 500 and text.endswith("…")


def test_an_answer_by_the_patients_link_warns_too(patient_a):
    """The link's answer has no staff member behind it (`by=None`): the alert is audited under
    the clinic alone."""
    import datetime as dt

    from ketacare.outcomes.early_warning import raise_early_warning
    from tests.outcomes.trajectory_helpers import series

    series(patient_a, "phq9", dt.date(2026, 1, 5), [20, 8, 4, 12])
    from ketacare.patients.models import Assessment

    latest = Assessment.objects.filter(patient_id=patient_a.pk).order_by("-completed_at").first()
    alert = raise_early_warning(latest, by=None)
    assert alert is not None and alert.assessment_id == latest.pk
    event = AuditEvent.objects.get(object_type="outcome_alert", object_id=str(alert.pk))
    assert event.clinic_id == patient_a.clinic_id and event.actor_username == ""
    assert raise_early_warning(latest, by=None) is None  # the same episode: once
