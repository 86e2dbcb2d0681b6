"""A candidate for one route, as the screen reads it (contracts.md `ketacare screen`).

`parse_candidate` is shared by the CLI, the web API and FHIR import. Which keys are required
follows the contract literally: it names `phq9`, `madrs_total` and `blood_pressure` as optional, so
every other key is required. `failed_adequate_trials` is required but may be null ("unknown").
`pregnant` and `breastfeeding` are required booleans: ELIG-PREGNANCY can exclude, so a missing
answer is never read as "no" (the conservative reading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ketacare.clinical.catalog.eligibility import CONDITIONS, ROUTES
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import (
    Fields,
    describe,
    join,
    read_bool,
    read_choice,
    read_int,
    read_list,
)
from ketacare.clinical.instruments import score
from ketacare.clinical.rules import DEFAULT_SETTINGS, REGISTRY, ClinicalSettings

DIAGNOSES: tuple[str, ...] = ("mdd", "bipolar_depression", "other")
CONDITION_CODES: tuple[str, ...] = tuple(row.code for row in CONDITIONS)
_KNOWN_CODES = frozenset(CONDITION_CODES)
# Every threshold parse_candidate reads. All are fixed (not overridable), so a candidate parsed
# once is valid under any clinic's settings; the import refuses a configurable one.
PARSE_LIMITS: tuple[tuple[str, str], ...] = (
    ("ELIG-AGE", "maximum_plausible_years"),
    ("ELIG-TRD", "maximum_plausible_trials"),
    ("ELIG-SEVERITY", "madrs_maximum_points"),
    ("MON-PLAUSIBILITY", "systolic_at_least_mmhg"),
    ("MON-PLAUSIBILITY", "systolic_at_most_mmhg"),
    ("MON-PLAUSIBILITY", "diastolic_at_least_mmhg"),
    ("MON-PLAUSIBILITY", "diastolic_at_most_mmhg"),
)
if any(REGISTRY[rule_id].threshold(name).configurable for rule_id, name in PARSE_LIMITS):
    raise RuntimeError("parse_candidate may read only fixed thresholds (see PARSE_LIMITS)")


@dataclass(frozen=True, slots=True)
class BloodPressure:
    """One resting blood pressure reading in mmHg."""

    systolic_mmhg: int
    diastolic_mmhg: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """Everything the eligibility screen of section 2.8 looks at, for one route.

    `phq9` holds the nine item answers in published order (item 9 at index 8); `conditions` holds
    distinct codes of the reference's condition table.
    """

    route: str
    age_years: int
    diagnosis: str
    failed_adequate_trials: int | None
    conditions: tuple[str, ...]
    pregnant: bool
    breastfeeding: bool
    phq9: tuple[int, ...] | None = None
    madrs_total: int | None = None
    blood_pressure: BloodPressure | None = None
    # Set by parse_candidate only (never by __init__ or dataclasses.replace): the values were read
    # strictly, so `check_candidate` need not read them again. Its limits are all fixed
    # thresholds (PARSE_LIMITS), so the check holds whatever a clinic's settings are.
    parsed: bool = field(default=False, init=False, repr=False, compare=False)


def parse_candidate(
    document: object, *, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> Candidate:
    """Read a candidate document strictly (unknown keys refused) into a `Candidate`.

    Plausibility bounds come from the rules that use the values: ELIG-AGE (age), ELIG-TRD (trial
    count), ELIG-SEVERITY (MADRS range), MON-PLAUSIBILITY (blood pressure, reference 3.7).
    PHQ-9 answers are checked by the instrument scorer (SCALE-PHQ9), errors naming `phq9.N`; an
    unknown or repeated condition code is an error naming `conditions.N`.
    """
    doc = Fields(document, "")
    route: str = doc.take("route", read_choice, choices=ROUTES)
    age: int = doc.take(
        "age",
        read_int,
        minimum=0,
        maximum=int(settings.value("ELIG-AGE", "maximum_plausible_years")),
    )
    diagnosis: str = doc.take("diagnosis", read_choice, choices=DIAGNOSES)
    trials: int | None = doc.take(
        "failed_adequate_trials",
        _read_int_or_null,
        minimum=0,
        maximum=int(settings.value("ELIG-TRD", "maximum_plausible_trials")),
    )
    phq9: tuple[int, ...] | None = doc.optional("phq9", _read_phq9)
    madrs: int | None = doc.optional(
        "madrs_total",
        read_int,
        minimum=0,
        maximum=int(settings.value("ELIG-SEVERITY", "madrs_maximum_points")),
    )
    pressure: BloodPressure | None = doc.optional(
        "blood_pressure", _read_blood_pressure, settings=settings
    )
    conditions = _read_conditions(doc)
    pregnant: bool = doc.take("pregnant", read_bool)
    breastfeeding: bool = doc.take("breastfeeding", read_bool)
    doc.finish()
    candidate = Candidate(
        route=route,
        age_years=age,
        diagnosis=diagnosis,
        failed_adequate_trials=trials,
        conditions=conditions,
        pregnant=pregnant,
        breastfeeding=breastfeeding,
        phq9=phq9,
        madrs_total=madrs,
        blood_pressure=pressure,
    )
    object.__setattr__(candidate, "parsed", True)  # frozen: the one place that may set it
    return candidate


def check_candidate(candidate: object, *, settings: ClinicalSettings = DEFAULT_SETTINGS) -> None:
    """Hold a `Candidate` built in Python to exactly what `parse_candidate` accepts.

    The candidate is written back as its contract document, values untouched, and read by
    `parse_candidate`: a string where a bool belongs (`pregnant="no"`, truthy), `"40"` for an
    age or `True` for a count is refused with the same field path and sentence as in JSON
    (`age`, `pregnant`, `blood_pressure.systolic`), never screened on a wrong reading.
    """
    if not isinstance(candidate, Candidate):
        raise ClinicalInputError("input", f"input must be a Candidate; got {describe(candidate)}.")
    # type(), not __class__: a subclass could answer `Candidate` from a __class__ property.
    if candidate.parsed and type(candidate) is Candidate:
        return
    pressure = candidate.blood_pressure
    if pressure is not None and not isinstance(pressure, BloodPressure):
        raise ClinicalInputError(
            "blood_pressure", f"blood_pressure must be a BloodPressure; got {describe(pressure)}."
        )
    parse_candidate(_as_document(candidate), settings=settings)


def _as_document(candidate: Candidate) -> dict[str, object]:
    pressure = candidate.blood_pressure
    bp = (
        None
        if pressure is None
        else {"systolic": pressure.systolic_mmhg, "diastolic": pressure.diastolic_mmhg}
    )
    return {
        "route": candidate.route,
        "age": candidate.age_years,
        "diagnosis": candidate.diagnosis,
        "failed_adequate_trials": candidate.failed_adequate_trials,
        "phq9": _as_list(candidate.phq9),
        "madrs_total": candidate.madrs_total,
        "blood_pressure": bp,
        "conditions": _as_list(candidate.conditions),
        "pregnant": candidate.pregnant,
        "breastfeeding": candidate.breastfeeding,
    }


def _as_list(value: object) -> object:
    # Tuples are the dataclass's form of a JSON list; anything else is passed on to be refused.
    return list(value) if isinstance(value, tuple) else value


def _read_int_or_null(value: object, path: str, **limits: Any) -> int | None:
    return None if value is None else read_int(value, path, **limits)


def _read_phq9(value: object, path: str) -> tuple[int, ...]:
    # The scorer owns the item count and the item range (SCALE-PHQ9); it names `phq9.N`.
    answers = read_list(value, path)
    score("phq9", answers, path=path)
    return tuple(int(answer) for answer in answers)


def _read_blood_pressure(value: object, path: str, *, settings: ClinicalSettings) -> BloodPressure:
    fields = Fields(value, path)
    systolic: int = fields.take(
        "systolic",
        read_int,
        minimum=int(settings.value("MON-PLAUSIBILITY", "systolic_at_least_mmhg")),
        maximum=int(settings.value("MON-PLAUSIBILITY", "systolic_at_most_mmhg")),
    )
    diastolic: int = fields.take(
        "diastolic",
        read_int,
        minimum=int(settings.value("MON-PLAUSIBILITY", "diastolic_at_least_mmhg")),
        maximum=int(settings.value("MON-PLAUSIBILITY", "diastolic_at_most_mmhg")),
    )
    fields.finish()
    if diastolic >= systolic:
        where = fields.path_of("diastolic")
        raise ClinicalInputError(
            where, f"{where} must be below the systolic pressure; got {diastolic}/{systolic}."
        )
    return BloodPressure(systolic_mmhg=systolic, diastolic_mmhg=diastolic)


def _read_conditions(doc: Fields) -> tuple[str, ...]:
    seen: list[str] = []
    for index, code in enumerate(doc.items("conditions", _read_code)):
        if code in seen:
            where = join(doc.path_of("conditions"), index)
            raise ClinicalInputError(where, f"{where} repeats the condition code {code!r}.")
        seen.append(code)
    return tuple(seen)


def _read_code(value: object, path: str) -> str:
    if not isinstance(value, str) or value not in _KNOWN_CODES:
        raise ClinicalInputError(
            path,
            f"{path} must be a condition code of the screening table; got {describe(value)}.",
        )
    return value
