"""Scoring of every instrument, compiled once at import from the definitions (section 5).

`score` is the one entry point (contracts.md, `ketacare score`). Each instrument's definition is
turned at import into a small plan: the item count, the item range, and a table of every
possible `ScoreResult` (results are frozen, so one object per outcome is shared). The valid-input
path is then one loop over the answers that checks and adds them, and two lookups; anything that
fails it goes to a slow path that finds the first bad answer and names it, or, for valid answers
the fast path does not take (an int subclass, QIDS-SR16 domains, the C-SSRS), scores them
plainly. The tests check that both paths agree on every kind of input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import describe, read_choice
from ketacare.clinical.instruments.base import InstrumentDefinition, ScoreResult
from ketacare.clinical.instruments.cadss import CADSS
from ketacare.clinical.instruments.cssrs import CSSRS_SCREENER, read_cssrs_answers, triage
from ketacare.clinical.instruments.gad7 import GAD7
from ketacare.clinical.instruments.madrs import MADRS
from ketacare.clinical.instruments.moaas import MOAAS
from ketacare.clinical.instruments.phq import PHQ2, PHQ9
from ketacare.clinical.instruments.qids import QIDS_SR16

Scorer = Callable[[Sequence[object], str], ScoreResult]
# (item count, or None for no fast path; lowest and highest item value; index of the flagged
#  item; results indexed by the flagged item's answer, then by total)
_Plan = tuple[int | None, int, int, int, tuple[tuple[ScoreResult, ...], ...]]

INSTRUMENTS: Mapping[str, InstrumentDefinition] = MappingProxyType(
    {d.id: d for d in (PHQ9, PHQ2, GAD7, MADRS, QIDS_SR16, CSSRS_SCREENER, CADSS, MOAAS)}
)


def get_instrument(instrument_id: str) -> InstrumentDefinition:
    """The definition of one instrument; an unknown id is an input error on `instrument`."""
    return INSTRUMENTS[read_choice(instrument_id, "instrument", INSTRUMENTS)]


def score(instrument_id: str, answers: Sequence[object], *, path: str = "answers") -> ScoreResult:
    """Score one response: total, severity band, flags and LOINC code of the total.

    Rules SCALE-PHQ9, SCALE-PHQ2, SCALE-GAD7, SCALE-MADRS, SCALE-QIDS, SCALE-CSSRS,
    SCALE-CSSRS-TRIAGE, SCALE-CADSS and SCALE-MOAAS; the flags feed SAFE-ITEM9, SAFE-SI-FLAGS
    and SAFE-CSSRS-HIGH. `answers` is the list of item answers in published order. A bad
    answer raises `ClinicalInputError` on `path.<index>` (0-based); a list of the wrong length,
    or no list at all, on `path`; an unknown instrument on `instrument`.
    """
    try:
        plan = _PLANS[instrument_id]
    except (KeyError, TypeError):
        get_instrument(instrument_id)  # raises: every known instrument has a plan
        raise
    count, low, high, flag_index, tables = plan
    # Fast path: a list or tuple of the right length whose answers are all exact ints in range.
    # The exact type comes first: True == 1 and 1.0 == 1 would pass the range check. A plain
    # loop is the fastest exact check in CPython 3.11 (its specialised `type(x) is int` and int
    # comparisons beat map(type, ...) plus a set check; bench/results.md).
    if ((cls := answers.__class__) is list or cls is tuple) and len(answers) == count:
        total = 0
        for answer in answers:
            if type(answer) is int and low <= answer <= high:
                total += answer
            else:
                break
        else:
            ints: Sequence[int] = answers  # type: ignore[assignment]  # just checked
            return tables[ints[flag_index]][total]
    return _SCORERS[instrument_id](answers, path)


def _result(definition: InstrumentDefinition, total: int | None, flags: list[str]) -> ScoreResult:
    return ScoreResult(
        instrument=definition.id,
        total=total,
        max=definition.total_maximum,
        severity=None if total is None else definition.band_for(total),
        flags=tuple(sorted(flags)),
        loinc=definition.loinc_total,
    )


def _flags_of(
    definition: InstrumentDefinition, total: int, item_values: Mapping[int, int]
) -> list[str]:
    """The flags of a total and of the flagged items' answers (item number -> answer)."""
    raised = []
    for flag in definition.flags:
        if flag.minimum_points is None:
            continue
        value = total if flag.item is None else item_values[flag.item]
        if value >= flag.minimum_points:
            raised.append(flag.name)
    return raised


def _integer_scorer(definition: InstrumentDefinition) -> tuple[Scorer, _Plan]:
    """The slow-path scorer of a points instrument, and its fast-path plan.

    The plan holds a results table per answer of the one flagged item (or of item 1 when no
    item is flagged), each indexed by total, so a valid response is scored by two lookups.
    Only plain-sum instruments get a fast path; QIDS-SR16 domains always take the slow one.
    """
    low, high, total_max = (
        definition.item_minimum,
        definition.item_maximum,
        definition.total_maximum,
    )
    if low is None or high is None or total_max is None:
        raise RuntimeError(f"{definition.id}: a points instrument needs its ranges")
    count = definition.item_count
    item_flags = [flag.item for flag in definition.flags if flag.item is not None]
    if len(item_flags) > 1:
        raise RuntimeError(f"{definition.id}: at most one item flag is supported")
    flag_item = item_flags[0] if item_flags else 1
    # Indexed by the flagged item's answer, then by total; indexes below the ranges (never
    # reached by valid answers) repeat the lowest entry so plain indexing works.
    tables = tuple(
        tuple(
            _result(
                definition,
                max(total, low * len(definition.domains)),
                _flags_of(definition, total, {flag_item: max(value, low)}),
            )
            for total in range(total_max + 1)
        )
        for value in range(high + 1)
    )
    slices = [slice(min(domain) - 1, max(domain)) for domain in definition.domains]
    if any(s.stop - s.start != len(d) for s, d in zip(slices, definition.domains, strict=True)):
        raise RuntimeError(f"{definition.id}: scoring domains must be runs of adjacent items")

    def slow(answers: Sequence[object], path: str) -> ScoreResult:
        if not isinstance(answers, list | tuple):
            raise ClinicalInputError(
                path, f"{path} must be a list of {count} answers; got {describe(answers)}."
            )
        if len(answers) != count:
            raise ClinicalInputError(
                path,
                f"{path} must have exactly {count} answers for {definition.title}; "
                f"got {len(answers)}.",
            )
        checked: list[int] = []
        for index, answer in enumerate(answers):
            if isinstance(answer, bool) or not isinstance(answer, int) or not low <= answer <= high:
                field = f"{path}.{index}"
                raise ClinicalInputError(
                    field,
                    f"{field} must be an integer from {low} to {high}; got {describe(answer)}.",
                )
            checked.append(int(answer))
        total = sum(max(checked[part]) for part in slices)
        return tables[checked[flag_item - 1]][total]

    plain_sum = all(len(domain) == 1 for domain in definition.domains)
    return slow, (count if plain_sum else None, low, high, flag_item - 1, tables)


def _cssrs_scorer(definition: InstrumentDefinition) -> Scorer:
    results = {
        level: _result(definition, None, [] if level is None else [level])
        for level in (None, *(flag.name for flag in definition.flags))
    }

    def slow(answers: Sequence[object], path: str) -> ScoreResult:
        return results[triage(read_cssrs_answers(answers, path))]

    return slow


def _compile() -> tuple[dict[str, Scorer], dict[str, _Plan]]:
    scorers: dict[str, Scorer] = {}
    plans: dict[str, _Plan] = {}
    for definition in INSTRUMENTS.values():
        if definition is CSSRS_SCREENER:
            scorers[definition.id] = _cssrs_scorer(definition)
            # No fast path: no list has a length of None.
            plans[definition.id] = (None, 0, 0, 0, ())
        else:
            scorers[definition.id], plans[definition.id] = _integer_scorer(definition)
    return scorers, plans


_SCORERS, _PLANS = _compile()
