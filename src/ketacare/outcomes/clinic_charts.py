"""The clinic outcomes page's charts, as inline accessible SVG (matplotlib, Agg; nothing fetched).

- Rates: the clinic's response and remission at the end of induction as bars with their 95 %
  Wilson interval, and the matching trials' figures (reference 6.4) as bars beside them; n is in
  each label, so no rate is drawn without it.
- Relapse: the Kaplan-Meier curve as steps, its 95 % band shaded, the median marked.

The SVG is made fit for the strict Content-Security-Policy by the trajectory charts'
`accessible_svg` (no `<style>`, ids prefixed, `role="img"`, title and description). The page's
tables say the same in words.
"""

from __future__ import annotations

import io
from typing import Any

from ketacare.outcomes.charts import FONT, accessible_svg
from ketacare.outcomes.clinic_outcomes import ClinicOutcomes

CLINIC_COLOUR = "#1b4f8a"
TRIAL_COLOUR = "#8a8a8a"
BAND_COLOUR = "#c9d9ec"
MEDIAN_COLOUR = "#7a3e9d"
_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "ketacare-clinic",
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 9,
}


def _percent(rate: float | None) -> str:
    return "no rate" if rate is None else f"{rate * 100:.0f}%"


def rates_description(result: ClinicOutcomes) -> str:
    parts = []
    for name, p in (("Response", result.response), ("Remission", result.remission)):
        text = f"{name}: {p.k} of {p.n} ({_percent(p.rate)})"
        if p.ci95:
            text += f", 95% CI {p.ci95[0] * 100:.0f}-{p.ci95[1] * 100:.0f}%"
        parts.append(text)
    trials = len(result.benchmarks)
    parts.append(f"{trials} matching trial figure{'s' if trials != 1 else ''} beside them")
    return "; ".join(parts) + "."


def render_rates(result: ClinicOutcomes, *, chart_id: str) -> str:
    """Bars: the clinic's two rates with their intervals, then the trials' matching figures."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    rows: list[tuple[str, float | None, tuple[float, float] | None, bool]] = []
    for measure, p in (("response", result.response), ("remission", result.remission)):
        rows.append((f"Clinic {measure} (n={p.n})", p.rate, p.ci95, True))
        rows += [
            (label if len(label) <= 48 else label[:47] + "…", rate, None, False)
            for kind, label, rate, _source in result.benchmarks
            if kind == measure
        ]
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]  # stubs want literal keys
        height = 0.45 * len(rows) + 0.9  # inches: a bar per row, and room for the axis
        figure = Figure(figsize=(6.4, height))
        FigureCanvasSVG(figure)
        bottom, top = 0.6 / height, 0.15 / height
        axes = figure.add_axes((0.45, bottom, 0.48, 1 - bottom - top))
        positions = list(range(len(rows)))[::-1]
        for y, (_label, rate, ci, own) in zip(positions, rows, strict=True):
            colour = CLINIC_COLOUR if own else TRIAL_COLOUR
            axes.barh(y, (rate or 0) * 100, color=colour, height=0.6)
            if ci is not None and rate is not None:
                axes.errorbar(
                    rate * 100,
                    y,
                    xerr=[[(rate - ci[0]) * 100], [(ci[1] - rate) * 100]],
                    color="#222222",
                    capsize=3,
                    linewidth=1,
                )
            axes.text(101, y, _percent(rate), va="center", fontsize=8)
        axes.set_yticks(positions, [r[0] for r in rows], fontsize=8)
        axes.set_xlim(0, 112)
        axes.set_xlabel("Patients (%)")
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return accessible_svg(
        buffer.getvalue(),
        prefix=chart_id,
        title="Response and remission at the end of induction",
        description=rates_description(result),
    )


def relapse_description(result: ClinicOutcomes) -> str:
    km = result.relapse
    median = (
        f"median time to relapse {km.median_days} days"
        if km.median_days is not None
        else "the median time to relapse is not reached"
    )
    return (
        f"Time to relapse among {km.followed} responders: {km.events} relapsed; {median}; "
        f"curve with its 95% band."
    )


def render_relapse(result: ClinicOutcomes, *, chart_id: str) -> str:
    """The Kaplan-Meier steps, the band, the median."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    curve = result.relapse.curve
    days = [p.day for p in curve]
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]  # stubs want literal keys
        figure = Figure(figsize=(6.4, 3.2))
        FigureCanvasSVG(figure)
        axes = figure.add_axes((0.1, 0.16, 0.86, 0.78))
        axes.fill_between(
            days,
            [p.low for p in curve],
            [p.high for p in curve],
            step="post",
            color=BAND_COLOUR,
            linewidth=0,
            label="95% band",
        )
        axes.step(
            days,
            [p.survival for p in curve],
            where="post",
            color=CLINIC_COLOUR,
            linewidth=1.6,
            label="Relapse-free",
        )
        median = result.relapse.median_days
        if median is not None:
            axes.axvline(median, color=MEDIAN_COLOUR, linestyle=":", label=f"Median {median} days")
        axes.axhline(0.5, color="#999999", linewidth=0.6)
        axes.set_ylim(0, 1.02)
        # A margin past the last day, so a relapse on the last day followed (a drop, and the
        # median line on it) is drawn inside the frame, not hidden behind its right edge.
        axes.set_xlim(0, max(days[-1], 30) * 1.05)
        axes.set_xlabel("Days since the end of induction")
        axes.set_ylabel("Relapse-free")
        axes.legend(loc="lower left", fontsize=7.5, frameon=False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return accessible_svg(
        buffer.getvalue(),
        prefix=chart_id,
        title="Time to relapse among responders (Kaplan-Meier)",
        description=relapse_description(result),
    )
