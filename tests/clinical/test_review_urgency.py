"""How soon a scale's flag must be reviewed (SAFE-CSSRS-HIGH, SAFE-ITEM9, SAFE-SI-FLAGS)."""

import pytest

from ketacare.clinical.instruments import INSTRUMENTS, ReviewUrgency, needs_alert, review_urgency
from ketacare.clinical.instruments.urgency import CRISIS_RESOURCES, shows_crisis_resources


@pytest.mark.parametrize(
    ("flag", "urgency", "alert"),
    [
        ("risk_high", ReviewUrgency.NOW, True),
        ("risk_moderate", ReviewUrgency.TODAY, True),
        ("suicidal_ideation", ReviewUrgency.TODAY, True),
        ("risk_low", ReviewUrgency.NEXT_CONTACT, False),
        ("positive_screen", None, False),
    ],
)
def test_each_flag_has_its_review_time(flag, urgency, alert):
    assert review_urgency(flag) is urgency
    assert needs_alert(flag) is alert


def test_every_flag_an_instrument_raises_is_known():
    raised = {flag.name for instrument in INSTRUMENTS.values() for flag in instrument.flags}
    assert raised == {
        "suicidal_ideation",
        "positive_screen",
        "risk_low",
        "risk_moderate",
        "risk_high",
    }


@pytest.mark.parametrize(
    ("flags", "shown"),
    [
        ((), False),
        (("positive_screen",), False),
        (("suicidal_ideation",), True),
        (("risk_low",), True),
        (("positive_screen", "risk_high"), True),
    ],
)
def test_crisis_resources_follow_the_flags_with_a_review_time(flags, shown):
    assert shows_crisis_resources(flags) is shown
    assert CRISIS_RESOURCES[0].contact == "Call or text 988"
