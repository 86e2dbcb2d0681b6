"""Recording a rating scale item by item from the chart: the items and answers come from the
clinical core, the answers go through `record_assessment`, a missing answer names its item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape

from ketacare.audit.models import AuditEvent
from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinical.rules import REGISTRY
from ketacare.patients.models import Assessment
from ketacare.patients.scale_forms import CHART_SCALES, option_label
from tests.factories import AssessmentFactory

PHQ9_ANSWERS = [2, 2, 2, 2, 1, 1, 2, 1, 1]


def _new(patient, instrument: str = "") -> str:
    url = f"/patients/{patient.pk}/scales/new/"
    return f"{url}?instrument={instrument}" if instrument else url


def _post(client, patient, instrument: str, answers: dict[str, object], **extra):
    data = {"instrument": instrument, **{f"item_{n}": v for n, v in answers.items()}, **extra}
    return client.post(_new(patient, instrument), data)


def _phq9(answers=PHQ9_ANSWERS) -> dict[str, object]:
    return {n: str(v) for n, v in enumerate(answers, start=1)}


@pytest.mark.parametrize("instrument", CHART_SCALES)
def test_the_form_shows_each_item_and_answer_of_the_core(staff_client, nora, patient_a, instrument):
    definition = INSTRUMENTS[instrument]

    page = staff_client(nora).get(_new(patient_a, instrument)).content.decode()

    assert page.count("<fieldset") == len(definition.items)
    assert page.count("<legend>") == len(definition.items)
    for item in definition.items:
        assert f'<span class="scale-number">Item {item.number}.</span> {escape(item.text)}' in page
        for option in item.options:
            assert escape(option_label(option)) in page


def test_phq9_answers_are_labelled_with_their_points_and_published_wording(
    staff_client, nora, patient_a
):
    page = staff_client(nora).get(_new(patient_a, "phq9")).content.decode()

    assert "0 — Not at all" in page
    assert "3 — Nearly every day" in page
    assert escape(INSTRUMENTS["phq9"].instructions) in page


def test_the_cssrs_form_explains_its_skip_logic(staff_client, nora, patient_a):
    page = staff_client(nora).get(_new(patient_a, "cssrs_screener")).content.decode()

    assert "Asked only when item 2 is Yes" in page
    assert "Asked only when item 6 is Yes" in page
    assert "Not asked" in page


def test_the_chart_opens_the_chosen_instruments_form_without_javascript(
    staff_client, nora, patient_a
):
    response = staff_client(nora).get(f"/patients/{patient_a.pk}/", {"instrument": "gad7"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<fieldset class="scale-item') == len(INSTRUMENTS["gad7"].items)
    assert f'action="/patients/{patient_a.pk}/scales/new/?instrument=gad7"' in page


def test_an_unknown_instrument_on_the_chart_is_a_form_error(staff_client, nora, patient_a):
    response = staff_client(nora).get(f"/patients/{patient_a.pk}/", {"instrument": "phq99"})

    assert response.status_code == 400
    assert "Choose one of the listed scales." in response.content.decode()
    assert "scale-item" not in response.content.decode()


def test_an_htmx_request_gets_the_instruments_form_alone(staff_client, nora, patient_a):
    response = staff_client(nora).get(_new(patient_a, "madrs"), headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.count('<fieldset class="scale-item') == 10


def test_choosing_the_blank_entry_with_htmx_swaps_the_form_out(staff_client, nora, patient_a):
    response = staff_client(nora).get(
        _new(patient_a, ""), {"instrument": ""}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Choose a scale to see its items." in response.content.decode()


def test_a_post_without_an_instrument_is_a_form_error(staff_client, nora, patient_a):
    response = staff_client(nora).post(_new(patient_a), {"item_1": "2"})

    assert response.status_code == 400
    assert "Choose a scale." in response.content.decode()
    assert not Assessment.objects.exists()


def test_an_unknown_instrument_is_a_form_error(staff_client, nora, patient_a):
    response = staff_client(nora).get(_new(patient_a, "cadss"))

    assert response.status_code == 400
    assert "Choose one of the listed scales." in response.content.decode()


def test_posting_a_full_phq9_records_the_scored_assessment(staff_client, nora, patient_a):
    client = staff_client(nora)

    response = _post(client, patient_a, "phq9", _phq9())

    record = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient_a.pk}/scales/{record.pk}/"
    assert record.answers == PHQ9_ANSWERS
    assert (record.total, record.severity, record.flags) == (14, "moderate", ["suicidal_ideation"])
    assert record.recorded_by == nora.user
    assert record.clinic_id == patient_a.clinic_id
    assert AuditEvent.objects.filter(
        object_type="assessment", object_id=str(record.pk), action="create", allowed=True
    ).exists()


def test_the_result_shows_a_suicidal_ideation_flag_for_review_today(staff_client, nora, patient_a):
    client = staff_client(nora)
    _post(client, patient_a, "phq9", _phq9())
    record = Assessment.objects.get()

    page = client.get(f"/patients/{patient_a.pk}/scales/{record.pk}/").content.decode()

    assert "Scale recorded and scored." in page
    assert '<strong class="scale-total">14</strong> of 27' in page
    assert "Moderate" in page
    assert 'role="alert"' in page
    assert "A clinician must review this result today." in page
    assert escape(INSTRUMENTS["phq9"].flags[0].description) in page
    assert escape(REGISTRY["SAFE-ITEM9"].summary) in page


def test_a_result_without_flags_shows_no_alert(staff_client, alice, patient_a):
    client = staff_client(alice)
    _post(client, patient_a, "gad7", {n: "0" for n in range(1, 8)})
    record = Assessment.objects.get()

    page = client.get(f"/patients/{patient_a.pk}/scales/{record.pk}/").content.decode()

    assert (record.total, record.severity) == (0, "minimal")
    assert 'role="alert"' not in page
    assert "review this result today" not in page


def test_a_missing_item_is_named_and_nothing_is_saved(staff_client, nora, patient_a):
    answers = _phq9()
    del answers[3]

    response = _post(staff_client(nora), patient_a, "phq9", answers)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Item 3 is required." in page
    assert "Nothing was saved." in page
    # The answers already given stay checked.
    assert 'value="2" id="id_item_1_2" required checked' in page
    assert not Assessment.objects.exists()


def test_an_answer_outside_the_items_choices_is_named(staff_client, nora, patient_a):
    answers = _phq9()
    answers[5] = "4"

    response = _post(staff_client(nora), patient_a, "phq9", answers)

    assert response.status_code == 400
    assert "Item 5: choose one of its answers." in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_future_completion_time_is_refused_and_nothing_is_saved(staff_client, nora, patient_a):
    later = timezone.localtime() + dt.timedelta(days=1)

    response = _post(
        staff_client(nora),
        patient_a,
        "phq9",
        _phq9(),
        completed_at=later.strftime("%Y-%m-%dT%H:%M"),
    )

    assert response.status_code == 400
    assert "The time must not be in the future." in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_completion_time_in_the_past_is_kept(staff_client, nora, patient_a):
    earlier = timezone.localtime() - dt.timedelta(days=2)

    _post(
        staff_client(nora),
        patient_a,
        "phq9",
        _phq9(),
        completed_at=earlier.strftime("%Y-%m-%dT%H:%M"),
    )

    recorded = timezone.localtime(Assessment.objects.get().completed_at)
    assert recorded.strftime("%Y-%m-%d %H:%M") == earlier.strftime("%Y-%m-%d %H:%M")


# --- the C-SSRS screener: yes/no with skip logic ------------------------------------------------


def _cssrs(*answers: str) -> dict[int, str]:
    return dict(enumerate(answers, start=1))


def test_cssrs_questions_not_asked_are_saved_as_blank(staff_client, nora, patient_a):
    response = _post(
        staff_client(nora), patient_a, "cssrs_screener", _cssrs("no", "no", "", "", "", "no", "")
    )

    record = Assessment.objects.get()
    assert response.status_code == 302
    assert record.answers == [False, False, None, None, None, False, None]
    assert record.flags == []


def test_cssrs_behaviour_with_unknown_timing_is_triaged_high(staff_client, nora, patient_a):
    _post(
        staff_client(nora), patient_a, "cssrs_screener", _cssrs("no", "no", "", "", "", "yes", "")
    )

    assert Assessment.objects.get().flags == ["risk_high"]


def test_a_cssrs_question_opened_by_a_yes_is_required(staff_client, nora, patient_a):
    response = _post(
        staff_client(nora),
        patient_a,
        "cssrs_screener",
        _cssrs("yes", "yes", "", "no", "no", "no", ""),
    )

    assert response.status_code == 400
    assert "Item 3 is required (item 2 is Yes)." in response.content.decode()
    assert not Assessment.objects.exists()


def test_an_answer_to_a_cssrs_question_not_asked_is_refused(staff_client, nora, patient_a):
    response = _post(
        staff_client(nora),
        patient_a,
        "cssrs_screener",
        _cssrs("no", "no", "yes", "", "", "no", ""),
    )

    assert response.status_code == 400
    assert "Item 3 is asked only when item 2 is Yes" in response.content.decode()
    assert not Assessment.objects.exists()


# --- who may use it -------------------------------------------------------------------------------


def test_a_coordinator_gets_403_on_the_form_and_its_post(staff_client, cora, patient_a):
    client = staff_client(cora)

    shown = client.get(_new(patient_a, "phq9"))
    posted = _post(client, patient_a, "phq9", _phq9())

    assert shown.status_code == 403
    assert posted.status_code == 403
    assert not Assessment.objects.exists()
    denied = AuditEvent.objects.filter(object_type="assessment", allowed=False)
    assert denied.count() == 2


@pytest.mark.parametrize("person", ["cora", "adam", "audrey"])
def test_roles_that_do_not_chart_see_no_scale_form_on_the_chart(
    staff_client, request, patient_a, person
):
    page = staff_client(request.getfixturevalue(person)).get(
        f"/patients/{patient_a.pk}/", {"instrument": "phq9"}
    )

    assert page.status_code == 200
    assert "Record a rating scale" not in page.content.decode()
    assert "scale-item" not in page.content.decode()


@pytest.mark.parametrize("person", ["adam", "audrey"])
def test_a_clinic_admin_and_an_auditor_get_403_on_the_form(
    staff_client, request, patient_a, person
):
    response = staff_client(request.getfixturevalue(person)).get(_new(patient_a, "phq9"))

    assert response.status_code == 403


def test_another_clinics_staff_get_404_on_the_form(staff_client, bob, patient_a):
    client = staff_client(bob)

    assert client.get(_new(patient_a, "phq9")).status_code == 404
    assert _post(client, patient_a, "phq9", _phq9()).status_code == 404
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("person", ["alice", "adam", "audrey"])
def test_clinical_readers_open_a_result(staff_client, request, patient_a, person):
    record = AssessmentFactory(patient=patient_a)

    response = staff_client(request.getfixturevalue(person)).get(
        f"/patients/{patient_a.pk}/scales/{record.pk}/"
    )

    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        object_type="assessment", object_id=str(record.pk), action="read", allowed=True
    ).exists()


def test_a_coordinator_gets_403_on_a_result(staff_client, cora, patient_a):
    record = AssessmentFactory(patient=patient_a)

    response = staff_client(cora).get(f"/patients/{patient_a.pk}/scales/{record.pk}/")

    assert response.status_code == 403


def test_another_patients_result_is_a_404(staff_client, alice, patient_a, patient_b):
    theirs = AssessmentFactory(patient=patient_b)

    response = staff_client(alice).get(f"/patients/{patient_a.pk}/scales/{theirs.pk}/")

    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        object_type="assessment", object_id=str(theirs.pk), allowed=False
    ).exists()


def test_the_charts_scale_rows_link_to_their_results(staff_client, alice, patient_a):
    record = AssessmentFactory(patient=patient_a)

    page = staff_client(alice).get(f"/patients/{patient_a.pk}/").content.decode()

    assert f'href="/patients/{patient_a.pk}/scales/{record.pk}/"' in page
