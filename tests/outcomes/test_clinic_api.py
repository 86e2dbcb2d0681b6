"""The clinic outcomes through the API (contracts.md 2.4), the page and its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from ketacare.audit.models import AuditEvent
from tests.outcomes.test_clinic_outcomes import small_clinic  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/outcomes"
DATES = {"from": "2026-01-01", "to": "2026-03-31"}
PAGE_DATES = {"date_from": "2026-01-01", "date_to": "2026-03-31"}


def test_the_contract_document(api: Any, alice: Any, small_clinic: Any) -> None:  # noqa: F811
    answer = api(alice, "get", URL, **DATES)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"patients_treated", "response", "remission", "relapse", "benchmarks"}
    assert body["patients_treated"] == 9
    assert {k: body["response"][k] for k in ("n", "k")} == {"n": 8, "k": 5}
    assert body["response"]["rate"] == pytest.approx(5 / 8)
    low, high = body["response"]["ci95"]
    assert low < 5 / 8 < high
    relapse = body["relapse"]
    assert set(relapse) == {"responders", "events", "median_days", "curve"}
    assert (relapse["responders"], relapse["events"], relapse["median_days"]) == (5, 2, 26)
    assert set(relapse["curve"][0]) == {"day", "survival", "low", "high"}
    assert body["benchmarks"] == []


def test_a_route_and_scale_with_trials_lists_them(api: Any, adam: Any, clinic_a: Any) -> None:
    answer = api(adam, "get", URL, route="iv_ketamine", scale="madrs", **DATES)
    assert answer.status_code == 200
    labels = [b["label"] for b in answer.json()["benchmarks"]]
    assert [label.split(":")[0] for label in labels] == ["ELEKT-D", "KetECT"]
    assert all(set(b) == {"label", "rate", "source"} for b in answer.json()["benchmarks"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"route": "intravenous"}, "route"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "2999-01-01"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"scale": "hamd17"}, "scale"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    api: Any, alice: Any, params: dict[str, str], field: str
) -> None:
    before = AuditEvent.objects.filter(object_type="clinic_outcomes").count()
    answer = api(alice, "get", URL, **params)
    assert answer.status_code == 422
    assert [d["loc"] for d in answer.json()["detail"]] == [["query", field]]
    assert AuditEvent.objects.filter(object_type="clinic_outcomes").count() == before


def test_a_nurse_is_refused_and_another_clinic_is_not_found(
    api: Any, nora: Any, bob: Any, clinic_a: Any
) -> None:
    assert api(nora, "get", URL, **DATES).status_code == 403
    assert api(bob, "get", URL, clinic_id=clinic_a.pk, **DATES).status_code == 404


def test_the_page_shows_rates_with_n_and_the_charts(
    staff_client: Any,
    alice: Any,
    small_clinic: Any,  # noqa: F811
) -> None:
    page = staff_client(alice).get("/outcomes/clinic/", PAGE_DATES)
    assert page.status_code == 200
    text = page.content.decode()
    assert "9 patients treated" in text
    assert "5 of 8" in text and "2 of 8" in text
    assert text.count('role="img"') == 2
    assert "median time to relapse 26 days" in text
    assert "<style" not in text and 'style="' not in text


def test_the_page_links_to_the_views_a_trial_can_stand_beside(
    staff_client: Any, alice: Any
) -> None:
    # No trial reports PHQ-9 (the default scale): the page says so and links to the route and
    # scale pairs that have one, keeping the dates.
    text = staff_client(alice).get("/outcomes/clinic/", PAGE_DATES).content.decode()
    assert "No published figure matches" in text
    assert "IV ketamine infusion by QIDS-SR16" in text and "ELEKT-D" in text
    assert "route=iv_ketamine&amp;scale=qids_sr16" in text
    esketamine = "/outcomes/clinic/?" + text.split('href="/outcomes/clinic/?')[2].split('"')[0]
    shown = staff_client(alice).get(esketamine.replace("&amp;", "&")).content.decode()
    assert "Source: " in shown


def test_the_page_refuses_a_future_date_naming_it(staff_client: Any, alice: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = staff_client(alice).get("/outcomes/clinic/", {"date_to": tomorrow.isoformat()})
    assert page.status_code == 422
    assert "not in the future" in page.content.decode()


def test_the_page_is_not_for_nurses(staff_client: Any, nora: Any) -> None:
    assert staff_client(nora).get("/outcomes/clinic/").status_code == 403


def test_the_csv_has_the_same_numbers_and_is_an_audited_export(
    staff_client: Any,
    adam: Any,
    small_clinic: Any,  # noqa: F811
) -> None:
    answer = staff_client(adam).get("/outcomes/clinic.csv", PAGE_DATES)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["patients_treated"][2] == "9"
    assert by_name["response"][2:4] == ["8", "5"]
    assert by_name["median_days"][4] == "26"
    event = AuditEvent.objects.filter(object_type="clinic_outcomes").latest("pk")
    assert (event.action, event.allowed) == ("export", True)
