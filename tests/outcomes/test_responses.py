"""A patient's answers through a link: partial answers refused by item with nothing stored, the
suicidality flag (crisis resources for the patient, the team's alert), the side-effect report and
its review on the chart, the page's headers, and a flood of submissions (429, nothing lost)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ketacare.audit.models import AuditEvent
from ketacare.outcomes.links import issue_link
from ketacare.outcomes.models import AssessmentLink, OutcomeAlert, PatientReport
from ketacare.outcomes.responses import SUBMIT_LIMIT, submit_answers
from ketacare.patients.models import Assessment, AssessmentSource
from tests.outcomes.conftest import PHQ9_CALM, PHQ9_ITEM9

pytestmark = pytest.mark.django_db


def _post(client: Any, token: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(f"/api/v1/responses/{token}", body, content_type="application/json", **extra)


@pytest.fixture
def link(alice: Any, patient_a: Any) -> Any:
    """`link(instrument="phq9", **kwargs)` -> the issued link (with its token)."""

    def make(instrument: str = "phq9", **kwargs: Any) -> Any:
        return issue_link(by=alice, patient=patient_a, instrument=instrument, **kwargs)

    return make


# --- the API ----------------------------------------------------------------------------------


def test_answer_is_scored_stored_as_the_patients(client: Any, link: Any, patient_a: Any) -> None:
    issued = link()
    response = _post(client, issued.token, {"answers": PHQ9_CALM})
    assert response.status_code == 201, response.content
    assert response.json() == {
        "instrument": "phq9",
        "total": 8,
        "severity": "mild",
        "crisis": False,
    }
    row = Assessment.objects.get()
    assert (row.patient_id, row.clinic_id) == (patient_a.pk, patient_a.clinic_id)
    assert row.recorded_by_id is None and row.source == AssessmentSource.PATIENT_LINK
    assert row.answers == PHQ9_CALM and row.total == 8
    event = AuditEvent.objects.get(object_type="assessment", action="create")
    assert event.actor_user_id is None and event.patient_id == patient_a.pk
    assert event.detail.startswith("actor=patient_link")
    assert issued.token not in event.detail


def test_partial_answers_name_each_missing_item_and_store_nothing(client: Any, link: Any) -> None:
    issued = link()
    response = _post(client, issued.token, {"answers": [1, 1, None, 1, 1, 1, 1]})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [d["loc"][-2:] for d in detail] == [["answers", "2"], ["answers", "7"], ["answers", "8"]]
    assert [d["msg"] for d in detail] == [
        "Item 3 is not answered.",
        "Item 8 is not answered.",
        "Item 9 is not answered.",
    ]
    assert not Assessment.objects.exists()
    assert AssessmentLink.objects.get().used_at is None  # still usable
    assert _post(client, issued.token, {"answers": PHQ9_CALM}).status_code == 201


def test_out_of_range_answer_is_422_on_that_item(client: Any, link: Any) -> None:
    issued = link()
    response = _post(client, issued.token, {"answers": [1, 1, 1, 1, 1, 1, 1, 1, 4]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-2:] == ["answers", "8"]
    assert not Assessment.objects.exists()


def test_cssrs_skip_logic_is_followed(client: Any, link: Any) -> None:
    issued = link("cssrs_screener")
    # No to question 2: questions 3-5 are not asked; question 6 always is.
    missing = _post(client, issued.token, {"answers": [False, False, None, None, None]})
    assert missing.status_code == 422
    assert [d["msg"] for d in missing.json()["detail"]] == ["Item 6 is not answered."]
    # Yes to question 2: 3-5 must be answered.
    asked = _post(client, issued.token, {"answers": [True, True, None, False, False, False]})
    assert [d["msg"] for d in asked.json()["detail"]] == ["Item 3 is not answered."]
    ok = _post(client, issued.token, {"answers": [False, False, None, None, None, False]})
    assert ok.status_code == 201
    assert ok.json() == {
        "instrument": "cssrs_screener",
        "total": None,
        "severity": None,
        "crisis": False,
    }


def test_item9_shows_crisis_resources_and_raises_the_alert(client: Any, link: Any) -> None:
    issued = link()
    response = _post(client, issued.token, {"answers": PHQ9_ITEM9})
    assert response.status_code == 201
    body = response.json()
    assert body["crisis"] is True
    assert body["crisis_resources"][0] == {
        "name": "988 Suicide & Crisis Lifeline",
        "contact": "Call or text 988",
    }
    assert any("911" in r["contact"] for r in body["crisis_resources"])
    alert = OutcomeAlert.objects.get()
    assert alert.assessment_id == Assessment.objects.get().pk
    assert alert.rule_id == "SAFE-ITEM9" and alert.acknowledged_at is None


def test_qids_item12_is_a_crisis(client: Any, link: Any) -> None:
    issued = link("qids_sr16")
    answers = [0] * 16
    answers[11] = 1
    body = _post(client, issued.token, {"answers": answers}).json()
    assert body["crisis"] is True and body["crisis_resources"]
    assert OutcomeAlert.objects.filter(rule_id="SAFE-SI-FLAGS").exists()


def test_side_effect_report_is_kept_for_review(client: Any, link: Any, patient_a: Any) -> None:
    issued = link()
    body = {"answers": PHQ9_CALM, "side_effects_text": "  Headache for a day after.  "}
    assert _post(client, issued.token, body).status_code == 201
    report = PatientReport.objects.get()
    assert report.text == "Headache for a day after."
    assert report.link_id == issued.link.pk and report.patient_id == patient_a.pk
    assert report.reviewed_at is None


def test_report_not_asked_is_not_kept(client: Any, link: Any) -> None:
    issued = link(asks_side_effects=False)
    body = {"answers": PHQ9_CALM, "side_effects_text": "Something"}
    assert _post(client, issued.token, body).status_code == 201
    assert not PatientReport.objects.exists()


def test_too_long_report_is_422_and_nothing_stored(client: Any, link: Any) -> None:
    issued = link()
    body = {"answers": PHQ9_CALM, "side_effects_text": "x" * 2001}
    response = _post(client, issued.token, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "side_effects_text"
    assert not Assessment.objects.exists() and not PatientReport.objects.exists()


def test_flood_is_429_and_every_accepted_answer_is_stored(alice: Any, patient_a: Any) -> None:
    tokens = [
        issue_link(by=alice, patient=patient_a, instrument="phq2").token
        for _ in range(SUBMIT_LIMIT + 5)
    ]
    accepted, refused = [], 0
    for token in tokens:
        response = _post(Client(REMOTE_ADDR="203.0.113.7"), token, {"answers": [1, 2]})
        if response.status_code == 201:
            accepted.append(token)
        else:
            assert response.status_code == 429
            assert response.has_header("Retry-After")
            refused += 1
    assert len(accepted) == SUBMIT_LIMIT and refused == 5
    assert Assessment.objects.count() == SUBMIT_LIMIT
    assert AssessmentLink.objects.filter(used_at__isnull=False).count() == SUBMIT_LIMIT
    # Another address is not held back by the first one's flood.
    other = _post(Client(REMOTE_ADDR="203.0.113.8"), tokens[-1], {"answers": [1, 2]})
    assert other.status_code == 201


def test_service_counts_against_the_client_only(alice: Any, patient_a: Any) -> None:
    issued = issue_link(by=alice, patient=patient_a, instrument="phq2")
    result = submit_answers(issued.token, [0, 0], client=None)
    assert result.total == 0 and not result.crisis and result.crisis_resources == ()


# --- the page ---------------------------------------------------------------------------------


def test_page_shows_first_name_only_and_the_instruments_wording(
    client: Any, link: Any, patient_a: Any
) -> None:
    issued = link()
    response = client.get(issued.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Hello, {patient_a.given_name}" in html
    assert patient_a.family_name not in html and patient_a.mrn not in html
    assert "Little interest or pleasure in doing things" in html
    assert "Thoughts that you would be better off dead" in html
    assert "More than half the days" in html
    assert "Anything since your last session?" in html
    assert "Log out" not in html and "Patients</a>" not in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert "Set-Cookie" not in response.headers and not response.cookies
    opened = AuditEvent.objects.get(object_type="assessment_link", action="read")
    assert opened.detail == "actor=patient_link" and opened.patient_id == patient_a.pk


def _form(answers: list[int], **extra: str) -> dict[str, str]:
    return {f"item_{n}": str(a) for n, a in enumerate(answers, start=1)} | extra


def test_page_partial_form_names_the_missing_items_and_stores_nothing(
    client: Any, link: Any
) -> None:
    issued = link()
    posted = _form([1, 1, 1, 1])
    response = client.post(issued.url, posted)
    assert response.status_code == 400
    html = response.content.decode()
    for number in range(5, 10):
        assert f"Item {number} is not answered." in html
    assert 'value="1" checked' in html  # what was given stays ticked
    assert not Assessment.objects.exists()


def test_page_answer_shows_the_score_in_words(client: Any, link: Any) -> None:
    issued = link()
    response = client.post(issued.url, _form(PHQ9_CALM, side_effects_text="Tired"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your answers add up to 8 out of 27" in html and "“mild”" in html
    assert "988" not in html.split("<main")[1].split("</main>")[0]
    assert PatientReport.objects.get().text == "Tired"
    assert client.get(issued.url).status_code == 410


def test_page_item9_puts_crisis_resources_first(client: Any, link: Any) -> None:
    issued = link()
    html = client.post(issued.url, _form(PHQ9_ITEM9)).content.decode()
    main = html.split('<main id="main"')[1]
    assert main.index("988 Suicide &amp; Crisis Lifeline") < main.index("Thank you")
    assert 'href="tel:988"' in main and 'href="tel:911"' in main
    assert OutcomeAlert.objects.count() == 1


def test_page_rate_limit_is_429(client: Any, link: Any, settings: Any) -> None:
    from ketacare.outcomes import responses

    issued = link()
    for _ in range(responses.OPEN_LIMIT):
        assert client.get(issued.url).status_code == 200
    response = client.get(issued.url)
    assert response.status_code == 429
    assert b"Please wait" in response.content


# --- the chart's review -----------------------------------------------------------------------


@pytest.fixture
def report(client: Any, link: Any) -> PatientReport:
    issued = link()
    _post(client, issued.token, {"answers": PHQ9_CALM, "side_effects_text": "Dizzy at night"})
    return PatientReport.objects.get()


def test_chart_section_lists_and_marks_reviewed(
    staff_client: Any, nora: Any, patient_a: Any, report: PatientReport
) -> None:
    browser = staff_client(nora)
    url = f"/patients/{patient_a.pk}/patient-reports/"
    page = browser.get(url, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "Dizzy at night" in page.content.decode() and "Mark reviewed" in page.content.decode()
    assert AuditEvent.objects.filter(object_type="patient_report", action="read").exists()
    done = browser.post(f"{url}{report.pk}/review/", {"note": "Called, fine"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.reviewed_by_id == nora.user_id and report.review_note == "Called, fine"
    assert AuditEvent.objects.filter(object_type="patient_report", action="update").exists()
    chart = browser.get(f"/patients/{patient_a.pk}/")
    assert url in chart.content.decode()


def test_review_needs_chart_clinical(
    staff_client: Any, adam: Any, cora: Any, patient_a: Any, report: PatientReport
) -> None:
    url = f"/patients/{patient_a.pk}/patient-reports/"
    admin_page = staff_client(adam).get(url)
    assert admin_page.status_code == 200 and "Mark reviewed" not in admin_page.content.decode()
    assert staff_client(adam).post(f"{url}{report.pk}/review/").status_code == 403
    assert staff_client(cora).get(url).status_code == 403
    report.refresh_from_db()
    assert report.reviewed_at is None


def test_other_clinic_gets_404(
    staff_client: Any, api: Any, bob: Any, patient_a: Any, report: PatientReport
) -> None:
    url = f"/patients/{patient_a.pk}/patient-reports/"
    assert staff_client(bob).get(url).status_code == 404
    assert staff_client(bob).post(f"{url}{report.pk}/review/").status_code == 404
    api_url = f"/api/v1/patients/{patient_a.pk}/patient-reports/{report.pk}/review"
    assert api(bob, "post", api_url, {}).status_code == 404
    report.refresh_from_db()
    assert report.reviewed_at is None


def test_api_review_twice_is_409(
    api: Any, alice: Any, patient_a: Any, report: PatientReport
) -> None:
    base = f"/api/v1/patients/{patient_a.pk}/patient-reports"
    listed = api(alice, "get", base).json()
    assert listed["count"] == 1 and listed["items"][0]["text"] == "Dizzy at night"
    first = api(alice, "post", f"{base}/{report.pk}/review", {"note": "ok"})
    assert first.status_code == 200 and first.json()["reviewed_by"] == "alice"
    assert api(alice, "post", f"{base}/{report.pk}/review", {}).status_code == 409


def test_page_opens_in_a_browser_signed_in_without_two_factor(
    client: Any, link: Any, nora: Any
) -> None:
    """The staff sign-in middleware leaves the patient's link alone."""
    client.force_login(nora.user)
    assert client.get("/").status_code == 302  # staff pages still want the second factor
    issued = link()
    assert client.get(issued.url).status_code == 200
