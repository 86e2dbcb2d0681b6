"""A trajectory as an inline, accessible SVG chart (matplotlib, Agg backend; nothing fetched).

One figure per scale: the scores over time on the instrument's severity bands (shaded from the
core's band table), the treatment sessions marked, and the baseline, response and remission
lines of the series (`ketacare.clinical.outcomes.chart_lines`). The SVG is rewritten for the
page's Content-Security-Policy (no `<style>`, no `style=""`: presentation attributes instead),
its ids are prefixed so two charts on one page never share one, and it carries `role="img"`, an
`aria-label`, a `<title>` and a `<desc>`. The table beside the chart says the same in words.
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from ketacare.clinical.outcomes.chart_lines import BandSpan, severity_bands
from ketacare.outcomes.trajectory import ScaleTrajectory

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

# Light tints from calm to alarming, spread over however many bands the instrument has; the
# score line stays readable over each (contrast is carried by the line, not the tint).
BAND_TINTS = ("#e4f2e7", "#eef5d9", "#fbf1d2", "#fbe3cf", "#f8d7d3")
SCORE_COLOUR = "#1b4f8a"
SESSION_COLOUR = "#7a7a7a"
BASELINE_COLOUR = "#333333"
RESPONSE_COLOUR = "#7a3e9d"
REMISSION_COLOUR = "#1e7a3c"
FONT = "DejaVu Sans"
_RC = {
    "svg.fonttype": "none",  # text stays text: selectable, read by screen readers, small
    "svg.hashsalt": "ketacare",  # deterministic clip-path ids (prefixed per chart below)
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 9,
}


@dataclass(frozen=True, slots=True)
class Chart:
    """The SVG markup of one scale's chart and the sentence that describes it."""

    svg: str
    description: str


def band_tints(bands: Sequence[BandSpan]) -> list[str]:
    """One tint per band, lowest band calmest, the highest band the most alarming tint."""
    if len(bands) <= 1:
        return [BAND_TINTS[0]] * len(bands)
    last = len(BAND_TINTS) - 1
    return [BAND_TINTS[round(i * last / (len(bands) - 1))] for i in range(len(bands))]


def describe(trajectory: ScaleTrajectory) -> str:
    """The chart in one sentence (its `<desc>` and the basis of its `aria-label`)."""
    days, summary = trajectory.days, trajectory.summary
    if not days:
        return f"{trajectory.title}: no scores recorded."
    span = f"{days[0].date.isoformat()} to {days[-1].date.isoformat()}"
    text = (
        f"{trajectory.title} totals, {len(days)} scores from {span}; "
        f"status {trajectory.status_title.lower()}."
    )
    if summary.baseline is not None:
        text += f" Baseline {summary.baseline}, latest {summary.latest}, lowest {summary.nadir}."
    return text


def render_chart(
    trajectory: ScaleTrajectory, session_dates: Sequence[dt.date], *, chart_id: str
) -> Chart:
    """The chart of one trajectory; `chart_id` (unique on the page) prefixes every SVG id."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    lines = trajectory.lines
    bands = severity_bands(trajectory.instrument)
    dates = [d.date for d in trajectory.days]
    totals = [d.total for d in trajectory.days]
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(6.4, 3.5))
        canvas = FigureCanvasSVG(figure)
        axes = figure.add_axes((0.08, 0.28, 0.72, 0.66))
        for band, tint in zip(bands, band_tints(bands), strict=True):
            axes.axhspan(band.low, band.high, color=tint, linewidth=0, zorder=0)
            axes.text(
                1.01,
                (band.minimum + band.maximum) / 2,
                band.label.replace("_", " "),
                transform=axes.get_yaxis_transform(),
                fontsize=7,
                color="#444444",
                va="center",
            )
        if session_dates:
            axes.vlines(
                list(session_dates),
                lines.total_minimum - 0.5,
                lines.total_maximum + 0.5,
                colors=SESSION_COLOUR,
                linewidth=0.8,
                alpha=0.6,
                zorder=1,
                label="Treatment session",
            )
        if lines.baseline is not None:
            axes.axhline(
                lines.baseline,
                color=BASELINE_COLOUR,
                linestyle="--",
                linewidth=1,
                label=f"Baseline ({lines.baseline})",
            )
        if lines.response_at_most is not None:
            response = float(lines.response_at_most)
            axes.axhline(
                response,
                color=RESPONSE_COLOUR,
                linestyle="-.",
                linewidth=1,
                label=f"Response (≤ {response:g})",
            )
        axes.axhline(
            lines.remission_at_most,
            color=REMISSION_COLOUR,
            linestyle=":",
            linewidth=1.4,
            label=f"Remission (≤ {lines.remission_at_most})",
        )
        axes.plot(
            dates,
            totals,
            color=SCORE_COLOUR,
            marker="o",
            markersize=3.5,
            linewidth=1.6,
            zorder=3,
            label="Total",
        )
        axes.set_ylim(lines.total_minimum - 0.5, lines.total_maximum + 0.5)
        _x_limits(axes, [*dates, *session_dates])
        locator = mdates.AutoDateLocator(maxticks=7)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes.set_ylabel(f"{trajectory.title} total")
        figure.legend(loc="lower center", ncol=3, fontsize=7.5, frameon=False)
        buffer = io.StringIO()
        canvas.print_svg(buffer, metadata={"Date": None, "Creator": None})
    description = describe(trajectory)
    return Chart(
        svg=accessible_svg(
            buffer.getvalue(), prefix=chart_id, title=trajectory.full_title, description=description
        ),
        description=description,
    )


def _x_limits(axes: object, dates: Sequence[dt.date]) -> None:
    if not dates:
        return
    first, last = min(dates), max(dates)
    # One point, or one day, still gets a readable week either side.
    pad = dt.timedelta(days=7 if first == last else max(2, (last - first).days // 30))
    axes.set_xlim(first - pad, last + pad)  # type: ignore[attr-defined]


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def accessible_svg(markup: str, *, prefix: str, title: str, description: str) -> str:
    """matplotlib's SVG for an HTML page under a strict CSP, with unique ids and a text title.

    Removes the XML prolog, metadata and `<style>`; turns every `style` attribute into the SVG
    presentation attributes it lists (each of matplotlib's declarations is one); prefixes ids
    and their `url(#...)` and `href="#..."` references with `prefix`; drops the fixed size so
    CSS sizes it; adds `role="img"`, `aria-label`, `<title>` and `<desc>`.
    """
    root = ET.fromstring(markup)  # noqa: S314  # matplotlib's own output, never input
    for parent in list(root.iter()):
        for child in list(parent):
            if _tag(child) in {"metadata", "style"}:
                parent.remove(child)
    href = f"{{{XLINK_NS}}}href"
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                name, _, value = declaration.partition(":")
                if name.strip() and value.strip():
                    element.set(name.strip(), value.strip())
        if "id" in element.attrib:
            element.set("id", f"{prefix}-{element.attrib['id']}")
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.set(name, value.replace("url(#", f"url(#{prefix}-"))
            elif name in {href, "href"} and value.startswith("#"):
                # Plain `href` (SVG 2): no xlink namespace to declare.
                element.attrib.pop(name)
                element.set("href", f"#{prefix}-{value[1:]}")
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    # What matplotlib's removed <style> said, as inherited presentation attributes.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("class", "trajectory-svg")
    root.set("role", "img")
    root.set("aria-label", title)
    root.set("aria-describedby", f"{prefix}-desc")
    root.set("focusable", "false")
    title_element = ET.Element("title", {"id": f"{prefix}-title"})
    title_element.text = title
    desc_element = ET.Element("desc", {"id": f"{prefix}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    # Plain tag names and an explicit xmlns: the output never depends on ElementTree's global
    # namespace registry (which WeasyPrint, for one, changes when it writes a PDF).
    for element in root.iter():
        element.tag = _tag(element)
    root.attrib = {"xmlns": SVG_NS, **root.attrib}
    return ET.tostring(root, encoding="unicode")
