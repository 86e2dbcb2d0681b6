"""Patient links (contracts.md 2.4): issuing (bounds, instrument, role, clinic), expiry, single
use (also two submissions at once on PostgreSQL), and one indistinguishable answer for a used,
an expired and an unknown link, on the page and in the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from ketacare.outcomes.links import issue_link, token_hash, usable_link
from ketacare.outcomes.models import AssessmentLink
from ketacare.outcomes.responses import LinkGone, submit_answers
from ketacare.patients.models import Assessment
from tests.outcomes.conftest import PHQ9_CALM

pytestmark = pytest.mark.django_db
LINKS = "/api/v1/patients/{}/assessment-links"


def _expire(link: AssessmentLink) -> None:
    AssessmentLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )


# --- issuing ----------------------------------------------------------------------------------


def test_issue_stores_only_the_hash_and_audits_without_the_token(
    alice: Any, patient_a: Any
) -> None:
    issued = issue_link(by=alice, patient=patient_a, instrument="phq9")
    link = AssessmentLink.objects.get()
    assert len(issued.token) >= 43
    assert issued.url == f"/r/{issued.token}/"
    assert link.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in {f.value_from_object(link) for f in link._meta.concrete_fields}
    assert link.created_by_id == alice.user_id
    assert link.clinic_id == patient_a.clinic_id
    hours = (link.expires_at - link.created_at).total_seconds() / 3600
    assert 71.9 < hours < 72.1
    event = AuditEvent.objects.get(object_type="assessment_link")
    assert event.patient_id == patient_a.pk and event.allowed
    assert issued.token not in event.detail


def test_two_links_never_share_a_token(alice: Any, patient_a: Any) -> None:
    tokens = {issue_link(by=alice, patient=patient_a, instrument="gad7").token for _ in range(5)}
    assert len(tokens) == 5


@pytest.mark.parametrize("hours", [1, 336])
def test_expiry_bounds_accepted(api: Any, alice: Any, patient_a: Any, hours: int) -> None:
    response = api(
        alice, "post", LINKS.format(patient_a.pk), {"instrument": "phq9", "expires_in_hours": hours}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "expires_at"}
    assert body["url"].startswith("http://testserver/r/")
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs((expires - timezone.now()).total_seconds() - hours * 3600) < 60


@pytest.mark.parametrize("hours", [0, 337, -1, True, "72"])
def test_expiry_out_of_bounds_is_422_and_stores_nothing(
    api: Any, alice: Any, patient_a: Any, hours: object
) -> None:
    response = api(
        alice, "post", LINKS.format(patient_a.pk), {"instrument": "phq9", "expires_in_hours": hours}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "expires_in_hours"
    assert not AssessmentLink.objects.exists()


@pytest.mark.parametrize("instrument", ["madrs", "cadss", "moaas", "nope", ""])
def test_instrument_the_patient_cannot_answer_is_422(
    api: Any, alice: Any, patient_a: Any, instrument: str
) -> None:
    response = api(alice, "post", LINKS.format(patient_a.pk), {"instrument": instrument})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "instrument"
    assert not AssessmentLink.objects.exists()


def test_other_clinics_patient_is_404(api: Any, bob: Any, patient_a: Any) -> None:
    response = api(bob, "post", LINKS.format(patient_a.pk), {"instrument": "phq9"})
    assert response.status_code == 404
    assert not AssessmentLink.objects.exists()
    assert AuditEvent.objects.filter(allowed=False, object_type="patient").exists()


def test_role_without_send_permission_is_403(api: Any, audrey: Any, patient_a: Any) -> None:
    response = api(audrey, "post", LINKS.format(patient_a.pk), {"instrument": "phq9"})
    assert response.status_code == 403
    assert not AssessmentLink.objects.exists()
    denied = AuditEvent.objects.get(allowed=False, object_type="assessment_link")
    assert denied.detail == "role_lacks:send_assessment_link"


def test_coordinator_may_send(api: Any, cora: Any, patient_a: Any) -> None:
    response = api(cora, "post", LINKS.format(patient_a.pk), {"instrument": "gad7"})
    assert response.status_code == 201


# --- usable or not ----------------------------------------------------------------------------


def test_usable_link_unknown_used_expired(alice: Any, patient_a: Any) -> None:
    issued = issue_link(by=alice, patient=patient_a, instrument="phq9", expires_in_hours=1)
    assert usable_link(issued.token) == issued.link
    assert usable_link("x" + issued.token[1:]) is None
    assert usable_link("") is None
    later = timezone.now() + dt.timedelta(hours=1, seconds=1)
    assert usable_link(issued.token, now=later) is None
    submit_answers(issued.token, PHQ9_CALM, client="198.51.100.1")
    assert usable_link(issued.token) is None


def test_expired_link_refuses_answers_and_stores_nothing(alice: Any, patient_a: Any) -> None:
    issued = issue_link(by=alice, patient=patient_a, instrument="phq9")
    _expire(issued.link)
    with pytest.raises(LinkGone):
        submit_answers(issued.token, PHQ9_CALM, client="198.51.100.1")
    assert not Assessment.objects.exists()


def test_single_use(alice: Any, patient_a: Any) -> None:
    issued = issue_link(by=alice, patient=patient_a, instrument="phq9")
    submit_answers(issued.token, PHQ9_CALM, client="198.51.100.1")
    with pytest.raises(LinkGone):
        submit_answers(issued.token, PHQ9_CALM, client="198.51.100.1")
    assert Assessment.objects.count() == 1
    link = AssessmentLink.objects.get()
    assert link.used_at is not None and link.assessment_id == Assessment.objects.get().pk


def _three_dead_tokens(alice: Any, patient_a: Any) -> dict[str, str]:
    used = issue_link(by=alice, patient=patient_a, instrument="phq9")
    submit_answers(used.token, PHQ9_CALM, client="198.51.100.9")
    expired = issue_link(by=alice, patient=patient_a, instrument="phq9")
    _expire(expired.link)
    unknown = "A" * len(used.token)
    assert not AssessmentLink.objects.filter(token_hash=token_hash(unknown)).exists()
    return {"used": used.token, "expired": expired.token, "unknown": unknown}


def test_api_gone_is_the_same_for_used_expired_unknown(
    client: Any, alice: Any, patient_a: Any
) -> None:
    answers = []
    for token in _three_dead_tokens(alice, patient_a).values():
        response = client.post(
            f"/api/v1/responses/{token}", {"answers": PHQ9_CALM}, content_type="application/json"
        )
        answers.append((response.status_code, response.content))
    assert answers[0][0] == 410
    assert answers[0] == answers[1] == answers[2]
    assert Assessment.objects.count() == 1


def test_page_gone_is_the_same_for_used_expired_unknown(
    client: Any, alice: Any, patient_a: Any
) -> None:
    for method in ("get", "post"):
        pages = []
        for token in _three_dead_tokens(alice, patient_a).values():
            response = getattr(client, method)(f"/r/{token}/")
            pages.append((response.status_code, response.content))
        assert pages[0][0] == 410
        assert pages[0] == pages[1] == pages[2], method
        assert b"cannot be used" in pages[0][1]


# --- the same link answered twice at once (PostgreSQL: real concurrent transactions) ----------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_only_one_succeeds(alice: Any, patient_a: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    issued = issue_link(by=alice, patient=patient_a, instrument="phq9")
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def answer(n: int) -> None:
        try:
            start.wait()
            submit_answers(issued.token, PHQ9_CALM, client=f"198.51.100.{n}")
            outcomes.append("ok")
        except LinkGone:
            outcomes.append("gone")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["gone", "gone", "gone", "ok"]
    assert Assessment.objects.filter(patient=patient_a).count() == 1
