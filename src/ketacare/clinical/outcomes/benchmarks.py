"""Published response and remission figures to show beside a clinic's own (reference 6.4).

Rule of use (reference 6.4, [D]): a clinic's end-of-induction rate is compared only with a row
whose route, scale and timepoint match, never with a row measured on another scale. Remission
rows also carry their cut-off, and match only a clinic whose remission rule uses the same one
(TRANSFORM-2 counted MADRS <= 12, KetECT <= 10).

Timepoints: the trials' primary endpoints that fall at the end of their induction course (the
esketamine label's four weeks, day 28; the IV courses of ELEKT-D and KetECT at their end) are
`end_of_induction`. Rows whose scale the reference does not name (Murrough 2013), that pool
scales (the meta-analyses) or that are measured after a single dose or at week 8 (ESCAPE-TRD,
after the optimization weeks) are not in the table: nothing can match them. Rates are the
active arm's; the comparator's is in the source text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

END_OF_INDUCTION = "end_of_induction"
IV_KETAMINE = "iv_ketamine"
ESKETAMINE_NASAL = "esketamine_nasal"


class Measure(StrEnum):
    RESPONSE = "response"
    REMISSION = "remission"


@dataclass(frozen=True, slots=True)
class Benchmark:
    label: str
    route: str
    scale: str
    timepoint: str
    measure: Measure
    rate: float
    source: str
    # The remission cut-off (total at most) the trial used; None for response rows.
    remission_at_most: int | None = None


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        label="TRANSFORM-2: esketamine + new antidepressant, day 28",
        route=ESKETAMINE_NASAL,
        scale="madrs",
        timepoint=END_OF_INDUCTION,
        measure=Measure.RESPONSE,
        rate=0.693,
        source="Popova et al., Am J Psychiatry 2019 (TRANSFORM-2); TRD, 18-64; "
        "response 69.3% vs 52.0% with antidepressant + placebo.",
    ),
    Benchmark(
        label="TRANSFORM-2: esketamine + new antidepressant, day 28 (MADRS <= 12)",
        route=ESKETAMINE_NASAL,
        scale="madrs",
        timepoint=END_OF_INDUCTION,
        measure=Measure.REMISSION,
        rate=0.525,
        source="Popova et al., Am J Psychiatry 2019 (TRANSFORM-2); TRD, 18-64; "
        "remission (MADRS <= 12) 52.5% vs 31.0%.",
        remission_at_most=12,
    ),
    Benchmark(
        label="TRANSFORM-1/2 pooled: esketamine, day 28",
        route=ESKETAMINE_NASAL,
        scale="madrs",
        timepoint=END_OF_INDUCTION,
        measure=Measure.RESPONSE,
        rate=0.587,
        source="Turkoz et al. 2021, post hoc pooled TRANSFORM-1 and -2; TRD; "
        "response 58.7% vs 45.2%.",
    ),
    Benchmark(
        label="TRANSFORM-3: esketamine, patients 65 and older, day 28",
        route=ESKETAMINE_NASAL,
        scale="madrs",
        timepoint=END_OF_INDUCTION,
        measure=Measure.RESPONSE,
        rate=0.27,
        source="Ochs-Ross et al. 2020 (TRANSFORM-3); TRD, 65 and older; response 27% vs 13.3% "
        "(primary endpoint not significant).",
    ),
    Benchmark(
        label="TRANSFORM-3: esketamine, patients 65 and older, day 28 (MADRS <= 12)",
        route=ESKETAMINE_NASAL,
        scale="madrs",
        timepoint=END_OF_INDUCTION,
        measure=Measure.REMISSION,
        rate=0.175,
        source="Ochs-Ross et al. 2020 (TRANSFORM-3); TRD, 65 and older; "
        "remission (MADRS <= 12) 17.5% vs 6.7%.",
        remission_at_most=12,
    ),
    Benchmark(
        label="ELEKT-D: IV ketamine twice weekly for 3 weeks",
        route=IV_KETAMINE,
        scale="qids_sr16",
        timepoint=END_OF_INDUCTION,
        measure=Measure.RESPONSE,
        rate=0.554,
        source="Anand et al., N Engl J Med 2023 (ELEKT-D); non-psychotic TRD, 21-75; "
        "response (QIDS-SR16 >= 50%) 55.4% vs 41.2% with ECT.",
    ),
    Benchmark(
        label="ELEKT-D: IV ketamine twice weekly for 3 weeks",
        route=IV_KETAMINE,
        scale="madrs",
        timepoint=END_OF_INDUCTION,
        measure=Measure.RESPONSE,
        rate=0.508,
        source="Anand et al., N Engl J Med 2023 (ELEKT-D); non-psychotic TRD, 21-75; "
        "response by MADRS 50.8% vs 41.1% with ECT.",
    ),
    Benchmark(
        label="KetECT: IV ketamine 3 times weekly, up to 12 sessions (MADRS <= 10)",
        route=IV_KETAMINE,
        scale="madrs",
        timepoint=END_OF_INDUCTION,
        measure=Measure.REMISSION,
        rate=0.46,
        source="Ekstrand et al., Int J Neuropsychopharmacol 2022 (KetECT); inpatients, "
        "unipolar, 18-85; remission (MADRS <= 10) 46% vs 63% with ECT.",
        remission_at_most=10,
    ),
)


def matching_benchmarks(
    *,
    route: str | None,
    scale: str,
    timepoint: str,
    measure: Measure,
    remission_at_most: int | None = None,
) -> tuple[Benchmark, ...]:
    """The rows a clinic's rate may be shown beside (the rule of reference 6.4).

    `route` None (every route together) matches nothing: a trial measured one route.
    """
    if route is None:
        return ()
    return tuple(
        b
        for b in BENCHMARKS
        if b.route == route
        and b.scale == scale
        and b.timepoint == timepoint
        and b.measure == measure
        and (measure != Measure.REMISSION or b.remission_at_most == remission_at_most)
    )
