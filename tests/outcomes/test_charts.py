"""The trajectory chart: valid SVG for a strict CSP, a band per severity band of the core's table,
the baseline, response and remission lines, unique ids; and the core's chart lines at every
boundary (pure, no database)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from ketacare.clinical.instruments import INSTRUMENTS
from ketacare.clinical.outcomes import Assessment, OutcomeSeries, evaluate_outcomes
from ketacare.clinical.outcomes.chart_lines import (
    chart_lines,
    current_episode_start,
    response_at_most,
    severity_bands,
)
from ketacare.clinical.rules import DEFAULT_SETTINGS
from ketacare.outcomes.charts import SVG_NS, band_tints, render_chart
from ketacare.outcomes.trajectory import DayScore, ScaleTrajectory

D0 = dt.date(2026, 1, 5)


def _series(instrument: str, totals: list[int]) -> OutcomeSeries:
    return OutcomeSeries(
        instrument,
        tuple(Assessment(D0 + dt.timedelta(days=7 * i), t) for i, t in enumerate(totals)),
    )


def _trajectory(instrument: str, totals: list[int]) -> ScaleTrajectory:
    series = _series(instrument, totals)
    days = tuple(DayScore(a.date, a.total, "", "", i + 1) for i, a in enumerate(series.assessments))
    summary = evaluate_outcomes(series)
    return ScaleTrajectory(
        instrument,
        instrument.upper(),
        INSTRUMENTS[instrument].title,
        days,
        summary,
        chart_lines(series),
        days[0].date if days else None,
    )


# --- the core's lines (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "expected"),
    [
        ("phq9", [(0, 4), (5, 9), (10, 14), (15, 19), (20, 27)]),
        ("gad7", [(0, 4), (5, 9), (10, 14), (15, 21)]),
        ("madrs", [(0, 6), (7, 19), (20, 34), (35, 60)]),
        ("qids_sr16", [(0, 5), (6, 10), (11, 15), (16, 20), (21, 27)]),
    ],
)
def test_bands_cover_every_total_once_with_the_references_cut_points(instrument, expected):
    bands = severity_bands(instrument)
    assert [(b.minimum, b.maximum) for b in bands] == expected
    # Stripes meet: each ends half a point above its last total, where the next starts.
    for lower, upper in itertools.pairwise(bands):
        assert lower.high == upper.low == upper.minimum - 0.5


@pytest.mark.parametrize(
    ("baseline", "line"),
    [(27, Fraction(27, 2)), (20, Fraction(10)), (1, Fraction(1, 2)), (0, None), (-1, None)],
)
def test_response_line_is_half_the_baseline(baseline, line):
    assert response_at_most(baseline) == line


@pytest.mark.parametrize(
    ("instrument", "remission"), [("phq9", 4), ("gad7", 4), ("madrs", 10), ("qids_sr16", 5)]
)
def test_remission_line_is_the_instruments_rule(instrument, remission):
    lines = chart_lines(_series(instrument, [20, 10]))
    assert lines.remission_at_most == remission
    assert lines.baseline == 20
    assert lines.response_at_most == 10


def test_a_total_on_the_response_line_is_a_response_and_one_point_above_is_not():
    at_line = evaluate_outcomes(_series("phq9", [27, 13]))
    assert response_at_most(27) == Fraction(27, 2)
    assert at_line.response.met  # 13 <= 13.5
    above = evaluate_outcomes(_series("phq9", [27, 14]))
    assert not above.response.met


def test_no_baseline_no_baseline_line_and_no_response_line():
    lines = chart_lines(OutcomeSeries("phq9", ()))
    assert lines.baseline is None and lines.response_at_most is None
    assert (lines.total_minimum, lines.total_maximum) == (0, 27)


def test_episode_starts_at_the_first_response_and_again_after_recovery():
    # 20 -> 8 (response, day 7) -> 12, 13 (relapse, day 21) -> 3 (recovery, day 28).
    assert current_episode_start(_series("phq9", [20, 8])) == D0 + dt.timedelta(days=7)
    assert current_episode_start(_series("phq9", [20, 8, 12, 13])) == D0 + dt.timedelta(days=7)
    assert current_episode_start(_series("phq9", [20, 8, 12, 13, 3])) == D0 + dt.timedelta(days=28)
    assert current_episode_start(_series("phq9", [20, 18])) is None
    assert current_episode_start(OutcomeSeries("phq9", ())) is None
    assert DEFAULT_SETTINGS.value("OUT-RESPONSE", "reduction_at_least_percent") == 50


# --- the SVG ----------------------------------------------------------------------------------


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  # our own output


def test_the_svg_is_valid_xml_accessible_and_free_of_inline_style():
    chart = render_chart(
        _trajectory("phq9", [20, 14, 10, 4, 9]),
        [D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=3)],
        chart_id="t-phq9",
    )
    root = _parse(chart.svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{{{SVG_NS}}}title").text == INSTRUMENTS["phq9"].title
    assert "status" in root.find(f"{{{SVG_NS}}}desc").text
    assert "width" not in root.attrib and root.get("viewBox")
    assert "style=" not in chart.svg and "<style" not in chart.svg
    assert "<metadata" not in chart.svg and "http://" not in chart.svg.replace(
        "http://www.w3.org/", ""
    )


def test_one_band_rectangle_per_severity_band_in_its_tint():
    chart = render_chart(_trajectory("phq9", [20, 10]), [], chart_id="t")
    tints = band_tints(severity_bands("phq9"))
    fills = re.findall(r'fill="(#[0-9a-f]{6})"', chart.svg)
    for tint in tints:
        assert tint in fills
    assert len(set(tints)) == 5


def test_the_legend_names_baseline_response_and_remission_thresholds():
    svg = render_chart(_trajectory("madrs", [34, 20, 9]), [D0], chart_id="m").svg
    assert "Baseline (34)" in svg
    assert "Response (≤ 17)" in svg
    assert "Remission (≤ 10)" in svg
    assert "Treatment session" in svg


def test_no_baseline_chart_draws_no_baseline_or_response_line():
    svg = render_chart(_trajectory("gad7", []), [], chart_id="g").svg
    assert "Baseline" not in svg and "Response (" not in svg
    assert "Remission (≤ 4)" in svg


def test_two_charts_on_one_page_share_no_id():
    first = render_chart(_trajectory("phq9", [20, 10]), [], chart_id="chart-phq9").svg
    second = render_chart(_trajectory("phq9", [20, 10]), [], chart_id="chart-gad7").svg
    ids = [re.findall(r'\bid="([^"]+)"', svg) for svg in (first, second)]
    assert ids[0] and not set(ids[0]) & set(ids[1])
    # Every internal reference points at an id of its own chart.
    for svg, own in zip((first, second), ids, strict=True):
        for target in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg):
            assert (target[0] or target[1]) in own
