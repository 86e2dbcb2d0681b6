"""The anonymous self-check (contracts.md 2.5): the core's eligibility screen, for a lay person.

    answers = parse_self_check(data)      # ValidationError naming every missing or wrong field
    result = run_self_check(answers)      # SelfCheckResult; nothing is stored, nothing logged
    token = sign_self_check(result)       # carried in the clinic-page link, never kept here

Every medical judgement is the core's (`ketacare.clinical.eligibility.screen`): the self-check
only builds the core's candidate (diagnosis `mdd`, or `bipolar_depression` when the person says
so), screens the chosen route or every route, and maps the decisions to the contract's result.
The reasons are the core's own plain-language messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from ketacare.clinical.eligibility import (
    CONDITIONS,
    ROUTES,
    Decision,
    Outcome,
    ScreenResult,
    parse_candidate,
    screen,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.instruments import score
from ketacare.clinical.instruments.phq import PHQ9_ITEMS
from ketacare.clinical.instruments.urgency import CRISIS_RESOURCES as CORE_CRISIS_RESOURCES
from ketacare.clinical.instruments.urgency import shows_crisis_resources
from ketacare.public.self_check_token import make_self_check_token

NOT_SURE = "not_sure"
ROUTE_CHOICES: tuple[str, ...] = (*ROUTES, NOT_SURE)
PHQ9_ITEM_COUNT = len(PHQ9_ITEMS)

MAY_BE_CANDIDATE = "may_be_candidate"
NEEDS_CLINICIAN = "needs_clinician"
USUALLY_NOT_OFFERED = "usually_not_offered"

# SAFE-ITEM9: the core's crisis resources, in the shape of contract 2.4's `crisis_resources`.
CRISIS_RESOURCES: tuple[dict[str, str], ...] = tuple(
    {"name": r.name, "contact": r.contact} for r in CORE_CRISIS_RESOURCES
)

# The core's candidate keys that the self-check names differently.
_FIELD_NAMES = {"failed_adequate_trials": "antidepressants_tried"}
_CORE_RULE_IDS = (
    "ELIG-AGE",
    "ELIG-DIAGNOSIS",
    "ELIG-TRD",
    "ELIG-SEVERITY",
    "ELIG-SUICIDALITY",
    "ELIG-BP",
    "ELIG-PREGNANCY",
    "ELIG-BREASTFEEDING",
)
_RULE_OF_CODE = {row.code: row.rule_id for row in CONDITIONS}
_NOT_ASKED_PREGNANCY = (
    "You did not say whether you are pregnant or breastfeeding; a clinician will ask."
)
_NOT_ASKED_BIPOLAR = (
    "You did not say whether you have been told you have bipolar disorder; the check was made "
    "for depression without it, and a clinician will ask."
)


@dataclass(frozen=True, slots=True)
class SelfCheckAnswers:
    """What the person answered. `antidepressants_tried` None means "not sure"; `pregnant` and
    `breastfeeding` None mean the question was left out (API only: the page asks both)."""

    route: str
    age: int
    phq9: tuple[int, ...]
    antidepressants_tried: int | None
    conditions: tuple[str, ...]
    pregnant: bool | None
    breastfeeding: bool | None
    # None: left out (API only); screened as depression without bipolar disorder, and said so.
    bipolar: bool | None

    @property
    def routes_screened(self) -> tuple[str, ...]:
        return ROUTES if self.route == NOT_SURE else (self.route,)

    @property
    def diagnosis(self) -> str:
        return "bipolar_depression" if self.bipolar is True else "mdd"

    def as_document(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "age": self.age,
            "phq9": list(self.phq9),
            "antidepressants_tried": self.antidepressants_tried,
            "conditions": list(self.conditions),
            "pregnant": self.pregnant,
            "breastfeeding": self.breastfeeding,
            "bipolar": self.bipolar,
        }


@dataclass(frozen=True, slots=True)
class RouteDecision:
    route: str
    decision: str


@dataclass(frozen=True, slots=True)
class SelfCheckResult:
    """The contract's answer (`result`, `reasons`, `crisis`, `crisis_resources` when in crisis)
    plus what the page shows: the decision per route and the PHQ-9 total and band."""

    answers: SelfCheckAnswers
    result: str
    reasons: tuple[str, ...]
    crisis: bool
    routes: tuple[RouteDecision, ...]
    phq9_total: int
    phq9_severity: str

    def as_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "result": self.result,
            "reasons": list(self.reasons),
            "crisis": self.crisis,
            "routes": [{"route": r.route, "decision": r.decision} for r in self.routes],
            "phq9_total": self.phq9_total,
            "phq9_severity": self.phq9_severity,
        }
        if self.crisis:
            document["crisis_resources"] = [dict(r) for r in CRISIS_RESOURCES]
        return document


# --- reading the answers -----------------------------------------------------------------


def parse_self_check(data: Mapping[str, object]) -> SelfCheckAnswers:
    """Read the answers strictly; one ValidationError naming every missing or wrong field
    (`age`, `phq9.3`, `antidepressants_tried`, ...), so a half-filled form is told all at once."""
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - _KNOWN_KEYS)
    for key in unknown:
        errors[str(key)] = f"{key} is not a question of the self-check."
    route = _choice(data, "route", ROUTE_CHOICES, errors)
    age = _integer(data, "age", errors)
    phq9 = _phq9(data, errors)
    tried = _integer(data, "antidepressants_tried", errors, nullable=True)
    conditions = _conditions(data, errors)
    pregnant = _boolean(data, "pregnant", errors, optional=True)
    breastfeeding = _boolean(data, "breastfeeding", errors, optional=True)
    bipolar = _boolean(data, "bipolar", errors, optional=True)
    if errors:
        raise ValidationError(errors)
    answers = SelfCheckAnswers(
        route=str(route),
        age=int(age or 0),
        phq9=tuple(phq9 or ()),
        antidepressants_tried=tried,
        conditions=tuple(conditions or ()),
        pregnant=pregnant,
        breastfeeding=breastfeeding,
        bipolar=bipolar,
    )
    # The core holds the ranges (plausible age, trial count, PHQ-9 items, condition codes).
    try:
        parse_candidate(_candidate_document(answers, ROUTES[0]))
    except ClinicalInputError as error:
        raise _named(error) from None
    return answers


_KNOWN_KEYS = frozenset(
    {
        "route",
        "age",
        "phq9",
        "antidepressants_tried",
        "conditions",
        "pregnant",
        "breastfeeding",
        "bipolar",
    }
)
_MISSING = object()


def _value(data: Mapping[str, object], key: str) -> object:
    return data.get(key, _MISSING)


def _choice(
    data: Mapping[str, object], key: str, choices: tuple[str, ...], errors: dict[str, str]
) -> str | None:
    value = _value(data, key)
    if value is _MISSING or value is None or value == "":
        errors[key] = f"Please answer {key}: one of {', '.join(choices)}."
        return None
    if not isinstance(value, str) or value not in choices:
        errors[key] = f"{key} must be one of {', '.join(choices)}."
        return None
    return value


def _integer(
    data: Mapping[str, object], key: str, errors: dict[str, str], *, nullable: bool = False
) -> int | None:
    value = _value(data, key)
    if value is _MISSING or (value is None and not nullable) or value == "":
        errors[key] = f"Please answer {key}."
        return None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[key] = f"{key} must be a whole number."
        return None
    return value


def _boolean(
    data: Mapping[str, object], key: str, errors: dict[str, str], *, optional: bool
) -> bool | None:
    value = _value(data, key)
    if value is _MISSING or value is None:
        if not optional:
            errors[key] = f"Please answer {key}: yes or no."
        return None
    if not isinstance(value, bool):
        errors[key] = f"{key} must be true or false."
        return None
    return value


def _phq9(data: Mapping[str, object], errors: dict[str, str]) -> list[int] | None:
    value = _value(data, "phq9")
    if value is _MISSING or value is None:
        errors["phq9"] = f"Please answer all {PHQ9_ITEM_COUNT} PHQ-9 questions."
        return None
    if not isinstance(value, list | tuple) or len(value) != PHQ9_ITEM_COUNT:
        errors["phq9"] = f"phq9 must be a list of {PHQ9_ITEM_COUNT} answers, question 1 first."
        return None
    answers: list[int] = []
    for number, answer in enumerate(value, start=1):
        if answer is None or answer == "":
            errors[f"phq9.{number}"] = f"Please answer PHQ-9 question {number}."
        elif isinstance(answer, bool) or not isinstance(answer, int):
            errors[f"phq9.{number}"] = f"PHQ-9 question {number} must be a whole number."
        else:
            answers.append(answer)
    return answers if len(answers) == PHQ9_ITEM_COUNT else None


def _conditions(data: Mapping[str, object], errors: dict[str, str]) -> list[str] | None:
    value = _value(data, "conditions")
    if value is _MISSING or value is None:
        errors["conditions"] = "Please answer conditions (an empty list when none applies)."
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(c, str) for c in value):
        errors["conditions"] = "conditions must be a list of condition codes."
        return None
    return list(value)


def _named(error: ClinicalInputError) -> ValidationError:
    # The core counts list items from 0 (`phq9.8`); people and this API count questions from 1.
    head, _, rest = error.field.partition(".")
    field = _FIELD_NAMES.get(head, head)
    message = error.message.replace(head, field, 1) if field != head else error.message
    if head == "phq9" and rest.isdigit():
        number = int(rest) + 1
        return ValidationError(
            {f"phq9.{number}": f"PHQ-9 question {number} must be answered 0, 1, 2 or 3."}
        )
    path = f"{field}.{rest}" if rest else field
    return ValidationError({path: message})


# --- the check ---------------------------------------------------------------------------


def _candidate_document(answers: SelfCheckAnswers, route: str) -> dict[str, object]:
    # Left-out pregnancy or breastfeeding (API only) is screened as "no" and said so in the
    # reasons: the self-check never decides, and the clinic asks again before any treatment.
    return {
        "route": route,
        "age": answers.age,
        "diagnosis": answers.diagnosis,
        "failed_adequate_trials": answers.antidepressants_tried,
        "phq9": list(answers.phq9),
        "conditions": list(answers.conditions),
        "pregnant": bool(answers.pregnant),
        "breastfeeding": bool(answers.breastfeeding),
    }


def run_self_check(answers: SelfCheckAnswers) -> SelfCheckResult:
    """Screen the chosen route (every route when "not sure") with the core and map the
    decisions (contract 2.5): any `eligible` → may_be_candidate; else any `needs_review` →
    needs_clinician; else usually_not_offered. Nothing is stored or logged."""
    screens = [
        screen(parse_candidate(_candidate_document(answers, route)))
        for route in answers.routes_screened
    ]
    decisions = {s.decision for s in screens}
    if Decision.ELIGIBLE in decisions:
        result = MAY_BE_CANDIDATE
    elif Decision.NEEDS_REVIEW in decisions:
        result = NEEDS_CLINICIAN
    else:
        result = USUALLY_NOT_OFFERED
    scored = score("phq9", list(answers.phq9), path="phq9")
    crisis = shows_crisis_resources(scored.flags) or any(s.urgent for s in screens)
    return SelfCheckResult(
        answers=answers,
        result=result,
        reasons=_reasons(answers, screens),
        crisis=crisis,
        routes=tuple(RouteDecision(s.route, s.decision.value) for s in screens),
        phq9_total=int(scored.total or 0),
        phq9_severity=str(scored.severity),
    )


def _reasons(answers: SelfCheckAnswers, screens: list[ScreenResult]) -> tuple[str, ...]:
    """The core's messages of what stands in the way (review, exclude), every route's; when
    nothing does, the messages of the rules that were answered (core rules, conditions named)."""
    concerns = [r.message for s in screens for r in s.rules if r.outcome is not Outcome.PASS]
    if concerns:
        chosen = concerns
    else:
        reported = {_RULE_OF_CODE[code] for code in answers.conditions}
        asked_pregnancy = answers.pregnant is not None and answers.breastfeeding is not None
        shown = set(_CORE_RULE_IDS) | reported
        if not asked_pregnancy:
            shown -= {"ELIG-PREGNANCY", "ELIG-BREASTFEEDING"}
        chosen = [r.message for s in screens for r in s.rules if r.id in shown]
    if answers.pregnant is None or answers.breastfeeding is None:
        chosen.append(_NOT_ASKED_PREGNANCY)
    if answers.bipolar is None:
        chosen.append(_NOT_ASKED_BIPOLAR)
    # The same message for several routes is said once, in the order first met.
    return tuple(dict.fromkeys(chosen))


# --- carrying the result to an intake request ------------------------------------------------


def sign_self_check(result: SelfCheckResult) -> str:
    """The answers and the result as the signed value of the clinic-page link
    (`ketacare.public.self_check_token`, read back by the intake request).

    Signed, not encrypted: it holds only what the person typed and saw, travels only in their
    own browser, and is stored nowhere until they attach it to an intake request themselves.
    """
    return make_self_check_token({"answers": result.answers.as_document(), **result.as_document()})
