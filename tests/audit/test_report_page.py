"""The audit report page: clinic admins and auditors of the clinic, its events only, filtered."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from ketacare.audit import views
from ketacare.audit.models import Action, AuditEvent
from ketacare.audit.services import record_event
from tests.audit.events import patient_event
from tests.factories import ClinicFactory, MembershipFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/audit/"


def _ids_on_page(response) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(
            r"<tr(?: class=\"audit-denied\")?>\s*<td>(\d+)</td>", response.content.decode()
        )
    ]


def _last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-pk").first()


# --- who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["adam", "audrey"])
def test_clinic_admin_and_auditor_see_every_event_of_their_clinic(
    staff_client, request, who, events_a, events_b
):
    member = request.getfixturevalue(who)
    response = staff_client(member).get(URL)

    assert response.status_code == 200
    own_view = _last_event()
    assert _ids_on_page(response) == [own_view.pk, *(e.pk for e in reversed(events_a))]
    assert "Audit report: Clinic A" in response.content.decode()


@pytest.mark.parametrize("who", ["alice", "nora", "cora"])
def test_other_roles_of_the_clinic_get_403_and_a_denied_event(staff_client, request, who, events_a):
    member = request.getfixturevalue(who)
    response = staff_client(member).get(URL)

    assert response.status_code == 403
    body = response.content.decode()
    assert (
        f"Your role ({member.get_role_display()}) at Clinic A does not give access to this page."
        in body
    )
    assert "audit-table" not in body
    assert f"<td>{events_a[0].pk}</td>" not in body
    denied = _last_event()
    assert (denied.actor_username, denied.actor_role, denied.clinic_id) == (
        member.user.username,
        member.role,
        member.clinic_id,
    )
    assert (denied.action, denied.object_type, denied.allowed, denied.detail) == (
        "read",
        "audit_report",
        False,
        "role_lacks:view_audit_report",
    )


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login_page(client, events_a):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/audit/")


def test_the_outsider_of_clinic_b_sees_none_of_clinic_a_events(
    staff_client, bob, events_a, events_b
):
    response = staff_client(bob).get(URL)

    assert response.status_code == 200
    own_view = _last_event()
    assert _ids_on_page(response) == [own_view.pk, events_b[0].pk]
    body = response.content.decode()
    assert "alice" not in body and "nora" not in body and "Clinic A" not in body


@pytest.mark.parametrize("clinic", ["clinic_a", "abc", "99999999999999999999999"])
def test_a_clinic_parameter_does_not_reach_another_clinic(
    staff_client, request, bob, clinic, events_a, events_b
):
    wanted = request.getfixturevalue(clinic).pk if clinic == "clinic_a" else clinic
    response = staff_client(bob).get(URL, {"clinic": wanted})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Audit report: Clinic B" in body
    assert _ids_on_page(response) == [_last_event().pk, events_b[0].pk]
    assert "alice" not in body and "Clinic A" not in body


def test_a_user_without_an_active_membership_gets_403_and_a_denied_event(
    staff_client, adam, events_a
):
    adam.is_active = False
    adam.save()
    response = staff_client(adam).get(URL)

    assert response.status_code == 403
    body = response.content.decode()
    assert "Your account is not a member of any clinic." in body
    assert "audit-table" not in body
    denied = _last_event()
    assert (denied.actor_username, denied.clinic_id, denied.object_type) == (
        "adam",
        None,
        "audit_report",
    )
    assert (denied.action, denied.allowed, denied.detail) == ("read", False, "no_membership")


def test_the_report_follows_the_clinic_switcher_of_the_home_page(
    staff_client, adam, clinic_b, events_a, events_b
):
    MembershipFactory(user=adam.user, clinic=clinic_b, role="auditor")
    client = staff_client(adam)

    first = client.get(URL)
    assert "Audit report: Clinic A" in first.content.decode()
    client.post(reverse("web:switch-clinic"), {"clinic": clinic_b.pk})
    assert "Patients of Clinic B" in client.get(reverse("web:home")).content.decode()
    second = client.get(URL)
    assert "Audit report: Clinic B" in second.content.decode()
    assert events_b[0].pk in _ids_on_page(second)
    assert not set(_ids_on_page(second)) & {e.pk for e in events_a}


def test_a_member_of_two_clinics_sees_the_same_clinic_on_the_home_page_and_the_report(
    staff_client, adam, events_a
):
    # Created after Clinic A (a higher id) but first by name: the order the clinic switcher uses.
    other = ClinicFactory(name="Aspen Clinic")
    MembershipFactory(user=adam.user, clinic=other, role="auditor")
    client = staff_client(adam)

    assert "Patients of Aspen Clinic" in client.get(reverse("web:home")).content.decode()
    report = client.get(URL)
    assert "Audit report: Aspen Clinic" in report.content.decode()
    assert not set(_ids_on_page(report)) & {e.pk for e in events_a}


# --- the page audits itself ------------------------------------------------------------------


def test_viewing_the_report_is_itself_an_audited_read(staff_client, audrey, alice, patient_a):
    response = staff_client(audrey).get(
        URL,
        {"patient": patient_a.pk, "user": "alice", "date_from": "2026-01-01", "page": "1"},
        HTTP_USER_AGENT="Test/1",
    )

    assert response.status_code == 200
    event = _last_event()
    assert (
        event.action,
        event.object_type,
        event.actor_username,
        event.actor_role,
        event.clinic_id,
    ) == (
        "read",
        "audit_report",
        "audrey",
        "auditor",
        audrey.clinic_id,
    )
    assert (event.channel, event.ip_address, event.user_agent, event.allowed) == (
        "web",
        "127.0.0.1",
        "Test/1",
        True,
    )
    assert event.detail == f"patient={patient_a.pk} user_id={alice.user_id} from=2026-01-01 page=1"


def test_the_reports_own_event_names_the_mrns_patient_never_the_typed_mrn(
    staff_client, audrey, patient_a
):
    staff_client(audrey).get(URL, {"mrn": patient_a.mrn})

    assert _last_event().detail == f"mrn_patient={patient_a.pk} page=1"


@pytest.mark.parametrize(
    "params",
    [{"mrn": "Jane Doe 1970"}, {"user": "jane.doe"}, {"mrn": "X", "user": "bob"}],
    ids=["unknown-mrn", "unknown-user", "other-clinics-user"],
)
def test_typed_filter_text_that_matches_nothing_is_kept_out_of_the_trail(
    staff_client, audrey, bob, params
):
    staff_client(audrey).get(URL, params)

    detail = _last_event().detail
    expected = " ".join(
        flag for key, flag in (("mrn", "mrn_filter=1"), ("user", "user_filter=1")) if key in params
    )
    assert detail == f"{expected} page=1"
    for typed in params.values():
        assert not AuditEvent.objects.filter(detail__contains=typed).exists()


# --- filters ---------------------------------------------------------------------------------


def test_the_patient_filter_keeps_that_patient_events(
    staff_client, adam, alice, patient_a, clinic_a
):
    other = PatientFactory(clinic=clinic_a)
    mine = patient_event(action=Action.READ, membership=alice, patient=patient_a)
    patient_event(action=Action.READ, membership=alice, patient=other)

    response = staff_client(adam).get(URL, {"patient": patient_a.pk})
    assert _ids_on_page(response) == [mine.pk]


def test_the_mrn_filter_finds_the_patient_of_this_clinic_only(
    staff_client, adam, alice, bob, patient_a, patient_b
):
    mine = patient_event(action=Action.READ, membership=alice, patient=patient_a)
    patient_event(action=Action.READ, membership=bob, patient=patient_b)
    client = staff_client(adam)

    assert _ids_on_page(client.get(URL, {"mrn": patient_a.mrn})) == [mine.pk]
    assert _ids_on_page(client.get(URL, {"mrn": patient_b.mrn})) == []
    assert "No events match these filters." in client.get(URL, {"mrn": "NO-SUCH"}).content.decode()


def test_the_user_filter_keeps_that_user_events(staff_client, adam, events_a):
    response = staff_client(adam).get(URL, {"user": "nora"})
    assert _ids_on_page(response) == [events_a[2].pk]


def test_the_date_range_includes_both_end_days_and_nothing_outside(staff_client, adam, alice):
    days = [
        dt.datetime(2026, 1, d, h, tzinfo=dt.UTC)
        for d, h in [(9, 23), (10, 0), (11, 12), (12, 23), (13, 0)]
    ]
    made = []
    for moment in days:
        with time_machine.travel(moment, tick=False):
            made.append(record_event(action=Action.READ, membership=alice, object_type="patient"))

    response = staff_client(adam).get(URL, {"date_from": "2026-01-10", "date_to": "2026-01-12"})
    assert _ids_on_page(response) == [made[3].pk, made[2].pk, made[1].pk]


def test_filters_combine(staff_client, adam, alice, nora, patient_a):
    record_event(action=Action.READ, membership=alice, patient_id=patient_a.pk)
    wanted = record_event(action=Action.READ, membership=nora, patient_id=patient_a.pk)
    record_event(action=Action.READ, membership=nora, patient_id=patient_a.pk + 1000)

    response = staff_client(adam).get(URL, {"user": "nora", "patient": patient_a.pk})
    assert _ids_on_page(response) == [wanted.pk]


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-13-45"}, "date_from", "Enter a valid date."),
        ({"date_to": "yesterday"}, "date_to", "Enter a valid date."),
        (
            {"date_from": "0001-01-01"},
            "date_from",
            "Enter a date between 1900-01-01 and 2999-12-31.",
        ),
        ({"date_to": "9999-12-31"}, "date_to", "Enter a date between 1900-01-01 and 2999-12-31."),
        (
            {"date_from": "2026-02-01", "date_to": "2026-01-01"},
            "date_to",
            "The end date must not be before the start date.",
        ),
        ({"patient": "abc"}, "patient", "Enter a whole number."),
        ({"patient": "0"}, "patient", "Ensure this value is greater than or equal to 1."),
        (
            {"patient": "99999999999999999999"},
            "patient",
            "Ensure this value is less than or equal to 9223372036854775807.",
        ),
        ({"user": "u" * 151}, "user", "Ensure this value has at most 150 characters (it has 151)."),
    ],
    ids=[
        "impossible-date",
        "words",
        "year-one",
        "year-9999",
        "end-before-start",
        "patient-text",
        "patient-zero",
        "patient-huge",
        "user-too-long",
    ],
)
def test_bad_filters_get_400_with_the_field_error_and_no_events(
    staff_client, adam, events_a, params, field, message
):
    response = staff_client(adam).get(URL, params)

    assert response.status_code == 400
    body = response.content.decode()
    assert f'<span class="field-error" id="id_{field}-error">{message}</span>' in body
    assert "audit-table" not in body
    assert "Correct the filters above to see events." in body


@pytest.mark.parametrize("page", ["abc", "-3", "999999"])
def test_a_page_number_out_of_range_or_malformed_shows_a_page_not_an_error(
    staff_client, adam, events_a, page
):
    response = staff_client(adam).get(URL, {"page": page})
    assert response.status_code == 200


# --- paging and fragments --------------------------------------------------------------------


def test_events_come_fifty_to_a_page_newest_first(staff_client, adam):
    for n in range(119):
        record_event(action=Action.READ, membership=adam, object_type="patient", object_id=n)
    client = staff_client(adam)

    first = client.get(URL)  # its own event makes 120 (the log-in adds none: no clinic)
    third = client.get(URL, {"page": 3})
    assert len(_ids_on_page(first)) == 50
    assert "Page 1 of 3" in first.content.decode()
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert len(_ids_on_page(third)) == 21  # 119 + 2 views of the report, 100 on pages 1-2
    assert (
        _ids_on_page(third)[-1]
        == AuditEvent.objects.filter(clinic_id=adam.clinic_id).order_by("pk").first().pk
    )


def test_page_links_keep_the_filters(staff_client, adam):
    for _ in range(60):
        record_event(action=Action.READ, membership=adam, patient_id=7)
    response = staff_client(adam).get(URL, {"patient": 7})
    body = response.content.decode()
    assert 'href="?patient=7&amp;page=2" rel="next"' in body
    assert 'href="/audit/export.csv?patient=7"' in body


def test_an_htmx_request_gets_the_events_fragment_alone(staff_client, adam, events_a):
    response = staff_client(adam).get(URL, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="audit-events"')
    assert "<html" not in body


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 80])
def test_the_report_costs_the_same_queries_at_any_size(rf, adam, django_assert_num_queries, size):
    for n in range(size):
        record_event(
            action=Action.READ, membership=adam, object_type="patient", object_id=n, patient_id=n
        )
    request = rf.get(URL, {"user": "adam", "date_from": "2026-01-01"})
    request.user = adam.user

    # memberships (once per request, shared with the page header), the user name resolved to a
    # member's id, append (chain head + insert; one round trip on PostgreSQL), count, page
    expected = 6 - (connection.vendor == "postgresql")
    with django_assert_num_queries(expected):
        response = views.report(request)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 80])
def test_the_mrn_filter_adds_one_query_to_resolve_the_patient(
    rf, adam, patient_a, django_assert_num_queries, size
):
    for _ in range(size):
        record_event(action=Action.READ, membership=adam, patient_id=patient_a.pk)
    request = rf.get(URL, {"mrn": patient_a.mrn})
    request.user = adam.user

    with django_assert_num_queries(6 - (connection.vendor == "postgresql")):
        response = views.report(request)
    assert response.status_code == 200


def test_a_user_with_no_membership_at_all_is_refused_with_403(rf):
    request = rf.get(URL)
    request.user = UserFactory()
    response = views.report(request)
    assert response.status_code == 403
    assert "Ask your clinic admin to add you to their clinic." in response.content.decode()
