"""The new-plan form's choice of interval for a phase that offers one (esketamine TRD maintenance
every 2 weeks or weekly): shown under its protocol, defaulting to the protocol's, used by the
preview and the plan, refused on its field when the protocol does not offer it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from ketacare.clinical.protocols import generate_schedule, interval_options
from ketacare.treatment.models import TreatmentPlan
from tests.treatment.conftest import ESK_ORDER, IV_ORDER

ESK = "esketamine_trd_label"
((MAINTENANCE, (EVERY_TWO_WEEKS, WEEKLY)),) = interval_options(ESK).items()
FIELD = f"every_days__{ESK}__{MAINTENANCE}"


def plans_url(patient) -> str:
    return reverse("treatment:patient-plans", args=[patient.pk])


def esketamine_form(monday: dt.date, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "protocol": ESK,
        "start": monday.isoformat(),
        "clinic_days": ["0", "1", "2", "3", "4"],
        "dose_mg": str(ESK_ORDER["dose_mg"]),
        "sign": "1",
    }
    data.update(changes)
    return data


def test_the_form_offers_the_labels_intervals_with_the_default_selected(
    staff_client, alice, patient_a, eligible_esketamine
):
    page = staff_client(alice).get(plans_url(patient_a)).content.decode()

    assert f'<label for="id_{FIELD}">Maintenance interval</label>' in page
    assert f'<select name="{FIELD}"' in page
    assert (
        f'<option value="{EVERY_TWO_WEEKS}" selected>every 2 weeks (the protocol\'s default)'
        "</option>"
    ) in page.replace("&#x27;", "'")
    assert f'<option value="{WEEKLY}">weekly</option>' in page


def test_a_protocol_without_a_choice_shows_no_interval(staff_client, alice, patient_a, eligible_iv):
    page = staff_client(alice).get(plans_url(patient_a)).content.decode()

    assert "every_days__" not in page
    assert "interval</label>" not in page


def test_the_preview_uses_the_chosen_interval(
    staff_client, alice, patient_a, eligible_esketamine, monday
):
    weekly = generate_schedule(
        ESK, start=monday, clinic_days=range(5), every_days={MAINTENANCE: WEEKLY}
    )
    default = generate_schedule(ESK, start=monday, clinic_days=range(5))
    assert len(weekly.sessions) != len(default.sessions)

    response = staff_client(alice).post(
        plans_url(patient_a), esketamine_form(monday, sign="", preview="1", **{FIELD: WEEKLY})
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Preview: {len(weekly.sessions)} sessions" in page
    assert f'<option value="{WEEKLY}" selected>weekly</option>' in page
    assert not TreatmentPlan.objects.exists()


def test_a_prescriber_signs_a_weekly_maintenance_plan_and_the_plan_page_says_so(
    staff_client, alice, patient_a, eligible_esketamine, monday
):
    client = staff_client(alice)

    response = client.post(plans_url(patient_a), esketamine_form(monday, **{FIELD: WEEKLY}))

    plan = TreatmentPlan.objects.get()
    assert response.status_code == 302
    assert plan.every_days == {MAINTENANCE: WEEKLY}
    page = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
    assert "<dt>Intervals</dt><dd>maintenance: weekly (the protocol's default: every 2 weeks)" in (
        page
    )
    assert "maintenance: open-ended, weekly;" in page


def test_the_plan_page_of_a_default_plan_names_the_default(
    staff_client, alice, make_plan, patient_a, eligible_esketamine
):
    plan = make_plan(patient_a, ESK, ESK_ORDER)

    page = (
        staff_client(alice)
        .get(reverse("treatment:plan", args=[plan.pk]))
        .content.decode()
        .replace("&#x27;", "'")
    )

    assert "maintenance: every 2 weeks (the protocol's default)" in page
    assert "maintenance: open-ended, every 2 weeks;" in page


def test_an_interval_the_protocol_does_not_offer_is_an_error_on_its_field_and_nothing_saved(
    staff_client, alice, patient_a, eligible_esketamine, monday
):
    response = staff_client(alice).post(
        plans_url(patient_a), esketamine_form(monday, **{FIELD: WEEKLY + 1})
    )

    assert response.status_code == 400
    assert response.context["form"].errors[FIELD] == [
        f"Maintenance interval must be one of {EVERY_TWO_WEEKS}, {WEEKLY}; got {WEEKLY + 1}."
    ]
    assert not TreatmentPlan.objects.exists()


def test_a_non_number_interval_is_a_form_error_not_a_500(
    staff_client, alice, patient_a, eligible_esketamine, monday
):
    response = staff_client(alice).post(
        plans_url(patient_a), esketamine_form(monday, **{FIELD: "weekly"})
    )

    assert response.status_code == 400
    assert FIELD in response.context["form"].errors
    assert not TreatmentPlan.objects.exists()


def test_another_protocols_interval_is_not_applied(
    staff_client, alice, patient_a, eligible_esketamine, eligible_iv, monday
):
    data = {
        "protocol": "iv_induction_3x_weekly",
        "start": monday.isoformat(),
        "clinic_days": ["0", "1", "2", "3", "4"],
        "dose_mg_per_kg": str(IV_ORDER["dose_mg_per_kg"]),
        "duration_min": str(IV_ORDER["duration_min"]),
        FIELD: str(WEEKLY + 1),
        "sign": "1",
    }

    response = staff_client(alice).post(plans_url(patient_a), data)

    assert response.status_code == 302
    assert TreatmentPlan.objects.get().every_days == {}
