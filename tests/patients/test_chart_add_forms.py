"""The chart's "Add …" forms are drawn only when opened: the chart shows a link per section the
role may add to; the link's URL gives the form as an htmx fragment or, without JavaScript, on a
page of its own; a form posted with errors comes back open on the chart."""

from __future__ import annotations

from ketacare.audit.models import AuditEvent
from ketacare.patients.models import WeightMeasurement

SECTIONS = ("weights", "vitals", "allergies", "medications", "conditions", "trials", "consents")


def _chart(patient) -> str:
    return f"/patients/{patient.pk}/"


def _add(patient, section: str) -> str:
    return f"/patients/{patient.pk}/add/{section}/"


def test_the_chart_links_each_add_form_and_draws_none(staff_client, alice, patient_a):
    page = staff_client(alice).get(_chart(patient_a)).content.decode()

    for section in (*SECTIONS, "notes"):
        url = _add(patient_a, section)
        assert f'<a href="{url}" hx-get="{url}" hx-target="closest .chart-add"' in page
    assert "Add a weight</a>" in page and "Write and sign a note</a>" in page
    assert 'name="weights-weight_kg"' not in page
    assert '<details class="chart-add"' not in page


def test_a_coordinator_gets_only_the_consent_link(staff_client, cora, patient_a):
    page = staff_client(cora).get(_chart(patient_a)).content.decode()

    assert f'href="{_add(patient_a, "consents")}"' in page
    for section in ("weights", "conditions", "notes"):
        assert _add(patient_a, section) not in page


def test_htmx_gets_the_form_alone_open_with_the_cursor_in_its_first_field(
    staff_client, nora, patient_a
):
    response = staff_client(nora).get(_add(patient_a, "weights"), headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.strip().startswith('<details class="chart-add" open>')
    assert f'action="{_add(patient_a, "weights")}#weights"' in page
    assert 'name="weights-weight_kg"' in page
    assert page.count("autofocus") == 1
    assert "HX-Request" in response["Vary"]


def test_without_javascript_the_form_has_its_own_page(staff_client, nora, patient_a):
    response = staff_client(nora).get(_add(patient_a, "weights"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert '<h1 id="add-heading">Add a weight</h1>' in page
    assert f"{patient_a.family_name}, {patient_a.given_name}" in page
    assert f'href="{_chart(patient_a)}#weights">Back to the chart</a>' in page
    assert f'action="{_add(patient_a, "weights")}#weights"' in page


def test_the_forms_page_posts_like_the_chart(staff_client, nora, patient_a):
    client = staff_client(nora)
    client.get(_add(patient_a, "weights"))

    response = client.post(_add(patient_a, "weights"), {"weights-weight_kg": "70.2"})

    assert response.status_code == 302
    assert response["Location"] == f"{_chart(patient_a)}#weights"
    assert WeightMeasurement.objects.count() == 1


def test_opening_a_form_is_audited_as_a_read_of_the_patient(staff_client, nora, patient_a):
    staff_client(nora).get(_add(patient_a, "allergies"), headers={"HX-Request": "true"})

    event = AuditEvent.objects.filter(patient_id=patient_a.pk).latest("pk")
    assert (event.action, event.object_type, event.allowed) == ("read", "patient", True)
    assert event.detail == "add-form section=allergies"


def test_a_role_that_may_not_add_gets_403_and_a_denied_event(staff_client, cora, patient_a):
    response = staff_client(cora).get(_add(patient_a, "conditions"))

    assert response.status_code == 403
    denied = AuditEvent.objects.filter(allowed=False).latest("pk")
    assert denied.detail == "role_lacks:chart_clinical"
    assert denied.patient_id == patient_a.pk


def test_another_clinics_patient_or_an_unknown_section_is_404(staff_client, bob, nora, patient_a):
    assert staff_client(bob).get(_add(patient_a, "weights")).status_code == 404
    assert staff_client(nora).get(_add(patient_a, "nothing")).status_code == 404


def test_a_form_with_errors_comes_back_open_on_the_chart_and_the_others_stay_links(
    staff_client, nora, patient_a
):
    response = staff_client(nora).post(_add(patient_a, "weights"), {"weights-weight_kg": "0"})

    page = response.content.decode()
    assert response.status_code == 400
    assert page.count('<details class="chart-add" open>') == 1
    assert 'name="weights-weight_kg"' in page
    assert 'name="allergies-substance"' not in page
    assert f'href="{_add(patient_a, "allergies")}"' in page
    assert not WeightMeasurement.objects.exists()
