"""record_side_effect and resolve_side_effect: terms and CTCAE grades from the clinical core, the
prescriber's SAFE-AE-GRADE alert, resolution with a version, and refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.chair.errors import ChairConflict
from ketacare.chair.models import SessionAlert, SideEffect
from ketacare.chair.services import (
    acknowledge_alert,
    amend_session,
    discharge_session,
    record_reading,
    record_side_effect,
    resolve_side_effect,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS
from tests.chair.conftest import ESK_MIN_TIME, fresh, reading_values, stored

pytestmark = pytest.mark.django_db

NOTIFY = int(DEFAULT_SETTINGS.value("SAFE-AE-GRADE", "notify_prescriber_grade_at_least"))


@pytest.fixture
def in_session(esk_session, dosed):
    dosed(esk_session)
    return esk_session


def test_a_side_effect_is_charted_with_its_term_and_grade(in_session, nora):
    version = fresh(in_session).version

    row = record_side_effect(
        session=in_session, term="nausea", grade=1, serious=False, action="Ginger ale", by=nora
    )

    assert (row.term, row.grade, row.serious, row.action) == ("nausea", 1, False, "Ginger ale")
    assert row.alert is None
    assert row.onset_at is not None and row.resolved_at is None
    assert fresh(in_session).version == version + 1
    assert not SessionAlert.objects.filter(rule="SAFE-AE-GRADE").exists()
    event = AuditEvent.objects.filter(object_type="side_effect").get()
    assert "term=nausea grade=1" in event.detail


@pytest.mark.parametrize(
    ("grade", "serious", "level"),
    [
        (NOTIFY - 1, False, None),
        (NOTIFY, False, "warning"),
        (4, False, "critical"),
        (5, False, "critical"),
        (1, True, "critical"),
    ],
)
def test_the_prescriber_is_alerted_at_the_notification_grade_or_when_serious(
    in_session, nora, grade, serious, level
):
    row = record_side_effect(
        session=in_session, term="vomiting", grade=grade, serious=serious, by=nora
    )

    alerts = list(SessionAlert.objects.filter(session=in_session, rule="SAFE-AE-GRADE"))
    assert [a.level for a in alerts] == ([level] if level else [])
    if level:
        assert row.alert == alerts[0]
        assert "SPRAVATO REMS" in alerts[0].message


def test_two_side_effects_at_the_same_moment_each_alert(in_session, nora):
    onset = timezone.now() - dt.timedelta(minutes=5)
    for term in ("vomiting", "anxiety"):
        record_side_effect(
            session=in_session, term=term, grade=3, serious=False, onset_at=onset, by=nora
        )

    assert SessionAlert.objects.filter(session=in_session, rule="SAFE-AE-GRADE").count() == 2


def test_a_side_effect_of_the_chair_before_the_dose(esk_session, nora):
    from ketacare.chair.services import record_pre_dose
    from tests.chair.conftest import pre_dose_values

    record_pre_dose(session=esk_session, values=pre_dose_values(), by=nora)

    row = record_side_effect(session=esk_session, term="anxiety", grade=1, serious=False, by=nora)

    assert row.pk is not None


def test_only_a_prescriber_acknowledges_a_side_effects_alert(in_session, nora, alice):
    row = record_side_effect(session=in_session, term="vomiting", grade=3, serious=False, by=nora)

    with pytest.raises(PermissionDenied):
        acknowledge_alert(alert=row.alert, note="Seen.", by=nora)
    row.alert.refresh_from_db()
    assert row.alert.acknowledged_at is None

    acknowledge_alert(alert=row.alert, note="Reviewed; antiemetic given.", by=alice)
    row.alert.refresh_from_db()
    assert row.alert.acknowledged_by_id == alice.user_id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"term": "hiccups"}, "term"),
        ({"term": "other", "other_term": " "}, "other_term"),
        ({"grade": 0}, "grade"),
        ({"grade": 6}, "grade"),
        ({"grade": True}, "grade"),
        ({"serious": "no"}, "serious"),
        ({"action": "x" * 501}, "action"),
        # Times as offsets from the test's own now (the chair tests run from midday).
        ({"onset_at": dt.timedelta(hours=1)}, "onset_at"),
        (
            {"onset_at": -dt.timedelta(minutes=5), "resolved_at": -dt.timedelta(minutes=10)},
            "resolved_at",
        ),
    ],
)
def test_bad_side_effects_are_refused_naming_the_field(in_session, nora, change, field):
    before = stored(in_session)
    now = timezone.now()
    change = {k: now + v if isinstance(v, dt.timedelta) else v for k, v in change.items()}
    arguments = {"term": "nausea", "grade": 2, "serious": False, **change}

    with pytest.raises(ValidationError) as refused:
        record_side_effect(session=in_session, by=nora, **arguments)

    assert set(refused.value.message_dict) == {field}
    assert stored(in_session) == before


def test_an_other_term_keeps_the_staffs_words(in_session, nora):
    row = record_side_effect(
        session=in_session, term="other", other_term="Tinnitus", grade=1, serious=False, by=nora
    )

    assert (row.term, row.other_term) == ("other", "Tinnitus")


def test_no_side_effect_before_check_in(esk_session, nora):
    with pytest.raises(ChairConflict) as refused:
        record_side_effect(session=esk_session, term="nausea", grade=1, serious=False, by=nora)

    assert refused.value.code == "not_in_chair"


def test_a_side_effect_resolves_with_its_version(in_session, nora):
    row = record_side_effect(session=in_session, term="nausea", grade=1, serious=False, by=nora)
    resolved = timezone.now()

    done = resolve_side_effect(
        side_effect=row, resolved_at=resolved, action="Rested", version=1, by=nora
    )

    assert (done.resolved_at, done.action, done.version) == (resolved, "Rested", 2)
    assert done.history.count() == 2

    with pytest.raises(ChairConflict) as stale:
        resolve_side_effect(side_effect=row, resolved_at=None, version=1, by=nora)
    assert stale.value.code == "stale_version"
    assert SideEffect.objects.get(pk=row.pk).resolved_at == resolved


def test_a_side_effect_cannot_resolve_before_its_onset(in_session, nora):
    onset = timezone.now() - dt.timedelta(minutes=5)
    row = record_side_effect(
        session=in_session, term="nausea", grade=1, serious=False, onset_at=onset, by=nora
    )

    with pytest.raises(ValidationError) as refused:
        resolve_side_effect(
            side_effect=row, resolved_at=onset - dt.timedelta(minutes=1), version=1, by=nora
        )

    assert set(refused.value.message_dict) == {"resolved_at"}


def test_a_discharged_session_is_amended_not_edited(in_session, nora):
    row = record_side_effect(session=in_session, term="nausea", grade=1, serious=False, by=nora)
    dose_at = in_session.dose.at
    end = dose_at + ESK_MIN_TIME + dt.timedelta(minutes=1)
    record_reading(session=in_session, values=reading_values(at=end), by=nora, now=end)
    discharge_session(
        session=in_session, dissociation_resolved=True, no_driving_instructed=True, by=nora, now=end
    )
    before = stored(in_session)

    for attempt in (
        lambda: record_side_effect(
            session=in_session, term="nausea", grade=1, serious=False, by=nora, now=end
        ),
        lambda: resolve_side_effect(side_effect=row, resolved_at=end, version=1, by=nora, now=end),
    ):
        with pytest.raises(ChairConflict) as refused:
            attempt()
        assert refused.value.code == "discharged"
    assert stored(in_session) == before

    amendment = amend_session(
        session=in_session, text="Nausea resolved at 11:20 (phone call).", by=nora, now=end
    )
    assert amendment.text.startswith("Nausea resolved")
    assert fresh(in_session).status == "discharged"


def test_only_a_discharged_session_is_amended(in_session, nora):
    with pytest.raises(ChairConflict) as refused:
        amend_session(session=in_session, text="Note.", by=nora)

    assert refused.value.code == "not_discharged"


@pytest.mark.parametrize("person", ["adam", "cora", "audrey"])
def test_roles_that_do_not_chart_may_not_chart_side_effects(request, in_session, person):
    member = request.getfixturevalue(person)

    with pytest.raises(PermissionDenied):
        record_side_effect(session=in_session, term="nausea", grade=1, serious=False, by=member)

    assert not SideEffect.objects.exists()
