"""The anonymous self-check (contract 2.5): each result, the crisis path, half-filled answers
named, and nothing stored or logged."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from ketacare.public.self_check import (
    CRISIS_RESOURCES,
    parse_self_check,
    run_self_check,
    sign_self_check,
)
from ketacare.public.self_check_token import read_self_check_token

MODERATE = [2, 2, 2, 2, 1, 1, 2, 1, 0]  # total 13, item 9 = 0
IN_CRISIS = [2, 2, 2, 2, 1, 1, 2, 1, 1]  # item 9 = 1


def answers(**changes):
    data = {
        "route": "iv_ketamine",
        "age": 40,
        "phq9": list(MODERATE),
        "antidepressants_tried": 2,
        "conditions": [],
        "pregnant": False,
        "breastfeeding": False,
        "bipolar": False,
    }
    data.update(changes)
    return data


def check(**changes):
    return run_self_check(parse_self_check(answers(**changes)))


def page_data(**changes):
    data = {
        "route": "iv_ketamine",
        "age": "40",
        "antidepressants_tried": "2",
        "bipolar": "no",
        "pregnant": "no",
        "breastfeeding": "no",
    }
    for number, value in enumerate(MODERATE, start=1):
        data[f"phq9_{number}"] = str(value)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- the service ---------------------------------------------------------------------------


def test_every_rule_met_may_be_a_candidate_with_the_cores_reasons():
    result = check()
    assert result.result == "may_be_candidate"
    assert not result.crisis
    assert [(r.route, r.decision) for r in result.routes] == [("iv_ketamine", "eligible")]
    assert result.phq9_total == 13
    assert result.phq9_severity == "moderate"
    assert any("treatment-resistant depression means at least 2" in r for r in result.reasons)
    assert "crisis_resources" not in result.as_document()


def test_a_review_rule_needs_a_clinician():
    result = check(antidepressants_tried=1)  # ELIG-TRD: 0-1 → review
    assert result.result == "needs_clinician"
    assert result.routes[0].decision == "needs_review"


def test_bipolar_screens_as_bipolar_depression_and_needs_a_clinician():
    assert check(bipolar=True).result == "needs_clinician"


def test_an_exclusion_on_the_only_route_is_usually_not_offered():
    result = check(pregnant=True)  # ELIG-PREGNANCY: exclude
    assert result.result == "usually_not_offered"
    assert result.routes[0].decision == "not_eligible"
    assert all("pregnan" in r.lower() or "clinician" in r.lower() for r in result.reasons)


def test_not_sure_screens_every_route_and_one_eligible_route_is_enough():
    # severe hepatic impairment: esketamine excludes, IV and oral need review → needs_clinician
    result = check(route="not_sure", conditions=["severe_hepatic_impairment"])
    decisions = dict((r.route, r.decision) for r in result.routes)
    assert decisions == {
        "esketamine_nasal": "not_eligible",
        "iv_ketamine": "needs_review",
        "oral_ketamine": "needs_review",
    }
    assert result.result == "needs_clinician"
    # controlled hypertension passes on every route → may be a candidate for all three
    result = check(route="not_sure", conditions=["hypertension_controlled"])
    assert {r.decision for r in result.routes} == {"eligible"}
    assert result.result == "may_be_candidate"


def test_under_age_excludes_every_route_so_usually_not_offered():
    result = check(route="not_sure", age=16)
    assert {r.decision for r in result.routes} == {"not_eligible"}
    assert result.result == "usually_not_offered"


def test_item_9_above_zero_is_a_crisis_with_the_resources_first():
    result = check(phq9=IN_CRISIS)
    document = result.as_document()
    assert document["crisis"] is True
    assert document["crisis_resources"] == [dict(r) for r in CRISIS_RESOURCES]
    assert document["crisis_resources"][0]["contact"] == "Call or text 988"
    assert document["reasons"][0].startswith("If you are thinking about hurting yourself")


def test_half_filled_answers_name_every_missing_one():
    data = answers(phq9=[1, None, 2, 2, None, 2, 2, 2, 0])
    del data["age"]
    del data["route"]
    with pytest.raises(ValidationError) as raised:
        parse_self_check(data)
    assert set(raised.value.message_dict) == {"route", "age", "phq9.2", "phq9.5"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"route": "intramuscular"}, "route"),
        ({"age": 200}, "age"),
        ({"age": True}, "age"),
        ({"phq9": [1, 1, 1, 1, 1, 1, 1, 1, 4]}, "phq9.9"),
        ({"phq9": [1, 1]}, "phq9"),
        ({"antidepressants_tried": -1}, "antidepressants_tried"),
        ({"conditions": ["flu"]}, "conditions.0"),
        ({"pregnant": "no"}, "pregnant"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_a_wrong_answer_is_named(changes, field):
    with pytest.raises(ValidationError) as raised:
        parse_self_check(answers(**changes))
    assert field in raised.value.message_dict


def test_left_out_pregnancy_is_said_in_the_reasons():
    data = answers()
    del data["pregnant"]
    result = run_self_check(parse_self_check(data))
    assert result.reasons[-1].startswith("You did not say whether you are pregnant")
    assert not any("Not pregnant, as reported" in r for r in result.reasons)


def test_left_out_bipolar_is_screened_as_depression_and_said_in_the_reasons():
    data = answers()
    data.pop("bipolar", None)
    result = run_self_check(parse_self_check(data))
    assert result.answers.diagnosis == "mdd"
    assert any("bipolar disorder; the check was made" in r for r in result.reasons)
    said = run_self_check(parse_self_check({**answers(), "bipolar": False}))
    assert not any("bipolar disorder; the check was made" in r for r in said.reasons)


def test_the_signed_value_carries_answers_and_result_for_the_intake_request():
    result = check(route="not_sure")
    document = read_self_check_token(sign_self_check(result))
    assert document["result"] == "may_be_candidate"
    assert document["answers"]["phq9"] == MODERATE
    assert document["answers"]["route"] == "not_sure"


# --- the page ----------------------------------------------------------------------------


def _row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.mark.django_db
def test_the_page_asks_the_phq9_in_its_own_words(client):
    response = client.get("/self-check/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Over the last 2 weeks, how often have you been bothered" in body
    assert "Thoughts that you would be better off dead, or of hurting yourself in some way" in body
    assert "Nearly every day" in body


@pytest.mark.django_db
def test_the_page_result_stores_nothing_and_logs_no_answer(client, caplog):
    before = _row_counts()
    with caplog.at_level(logging.DEBUG):
        response = client.post("/self-check/", page_data(age="47", phq9_9="2"))
        missing = client.post("/self-check/", page_data(age=None, phq9_3=None))
    assert response.status_code == 200
    assert missing.status_code == 422
    assert _row_counts() == before
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "47" not in logged


@pytest.mark.django_db
def test_the_page_shows_crisis_resources_before_anything_else(client):
    body = client.post("/self-check/", page_data(phq9_9="1")).content.decode()
    main = body[body.index('<main id="main"') :]
    assert main.index("988") < main.index("Your self-check result")
    assert 'href="tel:988"' in main
    assert 'href="tel:911"' in main


@pytest.mark.django_db
def test_the_page_names_the_missing_answers(client):
    response = client.post("/self-check/", page_data(age=None, phq9_3=None, route=None))
    assert response.status_code == 422
    body = response.content.decode()
    assert "Some answers are missing" in body
    for label in ("Your age", "Question 3 of the PHQ-9", "Which treatment"):
        assert label in body


@pytest.mark.django_db
def test_the_missing_answers_are_listed_in_the_order_of_the_page(client):
    # The page asks the treatment, then the PHQ-9, then age and history.
    response = client.post("/self-check/", page_data(bipolar=None, age=None, phq9_6=None))
    body = response.content.decode()
    start = body.index('id="form-errors"')
    summary = body[start : body.index("</ul>", start)]
    positions = [summary.index(label) for label in ("Question 6", "Your age", "Bipolar")]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_the_page_result_links_to_the_finder_with_the_signed_self_check(client):
    body = client.post("/self-check/", page_data(route="esketamine_nasal")).content.decode()
    assert "You may be a candidate" in body
    assert 'name="self_check" value="' in body
    assert 'action="/clinics/"' in body


# --- the API -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_answers_the_contract_and_stores_nothing(client):
    before = _row_counts()
    response = client.post(
        "/api/v1/public/self-check",
        answers(route="not_sure", phq9=IN_CRISIS),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"] == "needs_clinician"
    assert body["crisis"] is True
    assert body["crisis_resources"][0]["name"] == "988 Suicide & Crisis Lifeline"
    assert isinstance(body["reasons"], list) and all(isinstance(r, str) for r in body["reasons"])
    assert read_self_check_token(body["self_check"])["result"] == "needs_clinician"
    assert _row_counts() == before


@pytest.mark.django_db
def test_api_422_names_the_fields(client):
    data = answers(phq9=[1, 1, None, 1, 1, 1, 1, 1, 1], age=300)
    response = client.post("/api/v1/public/self-check", data, content_type="application/json")
    assert response.status_code == 422
    fields = {tuple(e["loc"][-2:]) for e in response.json()["detail"]}
    assert ("phq9", "3") in fields
    missing = client.post(
        "/api/v1/public/self-check", {"route": "iv_ketamine"}, content_type="application/json"
    )
    assert missing.status_code == 422
    named = {e["loc"][-1] for e in missing.json()["detail"]}
    assert {"age", "phq9", "antidepressants_tried", "conditions"} <= named


@pytest.mark.django_db
def test_api_rate_limit_is_429(client, monkeypatch):
    from django.core.cache import cache

    from ketacare.public import limits

    cache.clear()
    monkeypatch.setitem(limits.LIMITS, "self-check", 2)
    codes = [
        client.post(
            "/api/v1/public/self-check", answers(), content_type="application/json"
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
