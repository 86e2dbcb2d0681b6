"""The attached self-check, readable: label and text rows for the request's page.

The public side stores the self-check as it was submitted (contracts.md 2.5: its answers and
its result); nothing here scores or decides, it only names the keys it knows and shows the rest
as they are.
"""

from __future__ import annotations

from typing import Any

from ketacare.clinics.models import Route

LABELS = {
    "route": "Treatment asked about",
    "age": "Age",
    "phq9": "PHQ-9 answers",
    "antidepressants_tried": "Antidepressants tried",
    "conditions": "Conditions",
    "pregnant": "Pregnant",
    "bipolar": "Bipolar disorder",
    "breastfeeding": "Breastfeeding",
    "phq9_total": "PHQ-9 total",
    "phq9_severity": "PHQ-9 severity",
    "result": "Result",
    "routes": "By treatment",
    "reasons": "Why",
    "crisis": "Crisis resources shown",
    "completed_at": "Completed",
}

# The self-check's decision per route (`routes`: [{route, decision}]), in words.
DECISIONS = {
    "eligible": "may be a candidate",
    "needs_review": "a clinician needs to look",
    "not_eligible": "usually not offered",
}

# Shown to the person on the self-check page; `crisis` already says whether they were.
_NOT_SHOWN = frozenset({"crisis_resources"})

RESULTS = {
    "may_be_candidate": "May be a candidate",
    "needs_clinician": "A clinician needs to look",
    "usually_not_offered": "Usually not offered",
}

ROUTES = {**dict(Route.choices), "not_sure": "Not sure"}

# Nested objects are shown one level deep; deeper ones as their keys' count.
_MAX_DEPTH = 2


def _text(key: str, value: Any, depth: int) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "" or value == []:
        return "—"
    if key == "result" and isinstance(value, str):
        return RESULTS.get(value, value)
    if key == "route" and isinstance(value, str):
        return ROUTES.get(value, value)
    if key == "phq9_severity" and isinstance(value, str):
        return value.replace("_", " ").capitalize()
    if key == "routes" and isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return "; ".join(
            f"{ROUTES.get(str(v.get('route')), v.get('route'))}: "
            f"{DECISIONS.get(str(v.get('decision')), v.get('decision'))}"
            for v in value
        )
    if isinstance(value, list):
        sentences = all(isinstance(v, str) and v.rstrip().endswith((".", "!", "?")) for v in value)
        if value and sentences:
            # Whole sentences (the reasons) read as a paragraph; "; " would give ".;".
            return " ".join(v.strip() for v in value)
        joiner = "; " if any(isinstance(v, str) and len(v) > 20 for v in value) else ", "
        return joiner.join(_text("", v, depth + 1) for v in value)
    if isinstance(value, dict):
        if depth >= _MAX_DEPTH:
            return f"({len(value)} entries)"
        return "; ".join(f"{_label(k)}: {_text(str(k), v, depth + 1)}" for k, v in value.items())
    return str(value)


def _label(key: object) -> str:
    text = str(key)
    return LABELS.get(text, text.replace("_", " ").capitalize())


def self_check_rows(self_check: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) for each entry of the self-check, the known keys first, in LABELS order;
    an object under `answers` is shown as its entries."""
    if not self_check:
        return []
    flat: dict[str, Any] = {}
    for key, value in self_check.items():
        if key == "answers" and isinstance(value, dict):
            flat.update({str(k): v for k, v in value.items()})
        elif key not in _NOT_SHOWN:
            flat[str(key)] = value
    known = [k for k in LABELS if k in flat]
    rest = [k for k in flat if k not in LABELS]
    return [(_label(k), _text(k, flat[k], 1)) for k in [*known, *rest]]
