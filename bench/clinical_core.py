"""Clinical-core benchmark (issue 4, point 4): scorings and screens per second, in one process.

    .venv/bin/python bench/clinical_core.py            # the figures of bench/results.md
    .venv/bin/python bench/clinical_core.py --quick    # smoke run: a few hundred inputs
    .venv/bin/python bench/clinical_core.py --check    # exit 1 when a target is missed

Every figure is measured beside a baseline that runs in the same loop shape over the same
pre-generated inputs, so the ratio (ours / baseline) says how many trivial passes one real call
costs, whatever the machine:

- `score(instrument_id, answers)` of each instrument against `sum(answers)`; the C-SSRS screener
  answers are booleans and nulls, which `sum` refuses, so its baseline is `answers.count(True)`,
  the same single C-level pass over the list.
- `screen(parse_candidate(document))` against `dict(document)`: a shallow copy of the candidate
  document, the least a parser that returns a new object must do. The two halves are also timed
  on their own (screen alone over the parsed candidates), beside the same baseline.

Inputs are valid by construction, drawn from the instrument definitions and the contract with
`random.Random` seeded per figure, so every run times the same inputs. Each figure is the best
round (as `timeit` does: `time.perf_counter`, garbage collector off while timing) of at least
seven rounds and at least 0.3 s of timed calls; ours and its baseline alternate round by round
so both see the same machine state.

The targets are informational: PASS/MISS is printed and the exit code is 0, unless `--check`.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ketacare.clinical.eligibility import (
    CONDITION_CODES,
    DIAGNOSES,
    ROUTES,
    parse_candidate,
    screen,
)
from ketacare.clinical.instruments import INSTRUMENTS, InstrumentDefinition, score
from ketacare.clinical.rules import DEFAULT_SETTINGS

SEED = 20261125
INPUTS = 10_000
ROUNDS = 7
MIN_SECONDS = 0.3
MAX_ROUNDS = 1_000
QUICK_INPUTS = 300
QUICK_ROUNDS = 2

# Targets of issue 4, point 4.
PHQ9_MINIMUM_PER_SECOND = 100_000
PHQ9_MINIMUM_RATIO = 0.2
SCREENS_MINIMUM_PER_SECOND = 20_000

Loop = Callable[[], None]


@dataclass(frozen=True)
class Figure:
    """One row of the table: operations per second of ours and of its baseline."""

    name: str
    baseline: str
    ours_per_second: float
    baseline_per_second: float

    @property
    def ratio(self) -> float:
        return self.ours_per_second / self.baseline_per_second


# --- inputs -----------------------------------------------------------------------------------


def answer_vectors(definition: InstrumentDefinition, count: int, seed: int) -> list[list[Any]]:
    """`count` valid answer lists for one instrument, drawn from its own definition.

    Each asked item gets one of its answer options; an item the skip logic does not ask is
    null; an optional trailing item (the C-SSRS follow-up) is left off half the time.
    """
    rng = random.Random(f"{seed}:{definition.id}")
    vectors = []
    for _ in range(count):
        answers: list[Any] = []
        for item in definition.items:
            if not item.required and rng.random() < 0.5:
                break
            when = item.enabled_when
            if when is not None and answers[when.item - 1] is not when.answer:
                answers.append(None)
            else:
                answers.append(rng.choice(item.options).value)
        vectors.append(answers)
    return vectors


def candidate_documents(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` valid `ketacare screen` documents (contracts.md), a mix of every decision."""
    rng = random.Random(f"{seed}:screen")
    phq9 = INSTRUMENTS["phq9"]
    max_madrs = int(DEFAULT_SETTINGS.value("ELIG-SEVERITY", "madrs_maximum_points"))
    documents = []
    for _ in range(count):
        document: dict[str, Any] = {
            "route": rng.choice(ROUTES),
            "age": rng.randint(16, 90),
            "diagnosis": "mdd" if rng.random() < 0.8 else rng.choice(DIAGNOSES),
            "failed_adequate_trials": None if rng.random() < 0.1 else rng.randint(0, 6),
            "conditions": rng.sample(CONDITION_CODES, rng.choice((0, 0, 1, 1, 2, 3))),
            "pregnant": rng.random() < 0.03,
            "breastfeeding": rng.random() < 0.03,
        }
        # The optional keys are absent, null or given, as clinics send them.
        if rng.random() < 0.8:
            document["phq9"] = answer_vectors(phq9, 1, rng.randrange(2**32))[0]
        if rng.random() < 0.5:
            document["madrs_total"] = rng.choice((None, rng.randint(0, max_madrs)))
        if rng.random() < 0.8:
            systolic = rng.randint(95, 185)
            document["blood_pressure"] = {
                "systolic": systolic,
                "diastolic": rng.randint(55, min(115, systolic - 20)),
            }
        documents.append(document)
    return documents


# --- timing -----------------------------------------------------------------------------------


def scoring_loop(instrument_id: str, vectors: list[list[Any]]) -> Loop:
    def loop(score: Callable[..., object] = score) -> None:
        for answers in vectors:
            score(instrument_id, answers)

    return loop


def call_loop(function: Callable[[Any], object], inputs: Sequence[Any]) -> Loop:
    """`function(item)` for every input: ours (parse_candidate, screen) and the baselines (sum,
    dict) alike. The function is bound as a default so the loop looks it up locally."""

    def loop(function: Callable[[Any], object] = function) -> None:
        for item in inputs:
            function(item)

    return loop


def count_true_loop(vectors: list[list[Any]]) -> Loop:
    def loop() -> None:
        for answers in vectors:
            answers.count(True)

    return loop


def parse_and_screen_loop(documents: list[dict[str, Any]]) -> Loop:
    def loop(
        parse: Callable[..., Any] = parse_candidate, screen: Callable[..., object] = screen
    ) -> None:
        for document in documents:
            screen(parse(document))

    return loop


def best_rates(
    ours: Loop, baseline: Loop, operations: int, rounds: int, min_seconds: float
) -> tuple[float, float]:
    """Operations per second of the best round of each loop, the two alternating.

    At least `rounds` rounds, and more until `ours` has run `min_seconds` in all: a fast figure
    then gets enough rounds for one of them to miss the other processes of a busy machine.
    """
    ours()  # warm-up, and proof that every input is accepted
    baseline()
    best_ours = best_baseline = float("inf")
    spent = 0.0
    done = 0
    enabled = gc.isenabled()
    gc.disable()
    try:
        while done < rounds or (spent < min_seconds and done < MAX_ROUNDS):
            start = time.perf_counter()
            ours()
            elapsed = time.perf_counter() - start
            best_ours = min(best_ours, elapsed)
            spent += elapsed
            start = time.perf_counter()
            baseline()
            best_baseline = min(best_baseline, time.perf_counter() - start)
            done += 1
    finally:
        if enabled:
            gc.enable()
    return operations / best_ours, operations / best_baseline


def measure(count: int, rounds: int, min_seconds: float, seed: int) -> list[Figure]:
    figures = []
    for instrument_id, definition in INSTRUMENTS.items():
        vectors = answer_vectors(definition, count, seed)
        if all(isinstance(answer, int) for vector in vectors for answer in vector):
            baseline_name, baseline = "sum(answers)", call_loop(sum, vectors)
        else:
            baseline_name, baseline = "answers.count(True)", count_true_loop(vectors)
        ours, base = best_rates(
            scoring_loop(instrument_id, vectors), baseline, count, rounds, min_seconds
        )
        figures.append(Figure(f"score {instrument_id}", baseline_name, ours, base))

    documents = candidate_documents(count, seed)
    candidates = [parse_candidate(document) for document in documents]
    copy = call_loop(dict, documents)
    for name, loop in (
        ("screen (parse_candidate + screen)", parse_and_screen_loop(documents)),
        ("  parse_candidate alone", call_loop(parse_candidate, documents)),
        ("  screen alone", call_loop(screen, candidates)),
    ):
        ours, base = best_rates(loop, copy, count, rounds, min_seconds)
        figures.append(Figure(name, "dict(document)", ours, base))
    return figures


# --- report -----------------------------------------------------------------------------------


def targets(figures: list[Figure]) -> list[tuple[str, bool]]:
    by_name = {figure.name: figure for figure in figures}
    phq9 = by_name["score phq9"]
    screens = by_name["screen (parse_candidate + screen)"]
    return [
        (
            f"PHQ-9 scorings/s >= {PHQ9_MINIMUM_PER_SECOND:,}: {phq9.ours_per_second:,.0f}",
            phq9.ours_per_second >= PHQ9_MINIMUM_PER_SECOND,
        ),
        (
            f"PHQ-9 ratio to sum(answers) >= {PHQ9_MINIMUM_RATIO:.2f}x: {phq9.ratio:.2f}x",
            phq9.ratio >= PHQ9_MINIMUM_RATIO,
        ),
        (
            f"screens/s >= {SCREENS_MINIMUM_PER_SECOND:,}: {screens.ours_per_second:,.0f}",
            screens.ours_per_second >= SCREENS_MINIMUM_PER_SECOND,
        ),
    ]


def table(figures: list[Figure]) -> str:
    header = ("name", "ops/s", "baseline ops/s", "ratio", "baseline")
    rows = [
        (
            f.name,
            f"{f.ours_per_second:,.0f}",
            f"{f.baseline_per_second:,.0f}",
            f"{f.ratio:.3f}x",
            f.baseline,
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        name, *numbers, baseline = row
        cells = [name.ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(numbers, widths[1:-1], strict=True)]
        return "  ".join([*cells, baseline]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: a few hundred inputs")
    parser.add_argument("--inputs", type=int, help=f"inputs per figure (default {INPUTS:,})")
    parser.add_argument(
        "--rounds", type=int, help=f"least rounds per figure, best kept (default {ROUNDS})"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"input seed (default {SEED})")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    count = args.inputs or (QUICK_INPUTS if args.quick else INPUTS)
    rounds = args.rounds or (QUICK_ROUNDS if args.quick else ROUNDS)
    min_seconds = 0.0 if args.quick else MIN_SECONDS

    print(
        f"KetaCare clinical-core benchmark: {platform.python_implementation()} "
        f"{platform.python_version()}, {count:,} inputs per figure, best round of >= {rounds} "
        f"and >= {min_seconds:g} s, "
        f"seed {args.seed}" + (" (quick: smoke run, figures not meaningful)" if args.quick else "")
    )
    print()
    figures = measure(count, rounds, min_seconds, args.seed)
    print(table(figures))
    print()
    print("Targets (issue 4, point 4):")
    results = targets(figures)
    for text, met in results:
        print(f"  {'PASS' if met else 'MISS'}  {text}")
    return 1 if args.check and not all(met for _, met in results) else 0


if __name__ == "__main__":
    sys.exit(main())
