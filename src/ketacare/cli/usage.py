"""`ketacare SUBCOMMAND --help` (or `-h`): each clinical subcommand's usage, on standard output.

Plain text kept here rather than in the command modules, so printing it imports nothing of the
clinical core. The full reference, with an example of each command, is `docs/cli.md`.
"""

from __future__ import annotations

HELP_FLAGS = frozenset({"-h", "--help"})

_INPUT = "FILE is a path to a JSON document, or - to read it from standard input."
_EXIT = """\
Exit status: 0 success; 2 invalid input ({"error": {"field": "<dotted path>", "message": "..."}}
on standard output, one sentence on standard error); 1 any other failure (one sentence on
standard error). Unknown keys in the input are refused."""
_MORE = "Reference and examples: docs/cli.md"

_BODIES: dict[str, str] = {
    "score": """\
Usage: ketacare score INSTRUMENT FILE|-

Score one rating scale. INSTRUMENT is one of phq9, phq2, gad7, madrs, qids_sr16,
cssrs_screener, cadss, moaas.

Input:  {"answers": [...]}, the item answers in the instrument's published order (booleans or
        null for cssrs_screener).
Output: {"instrument", "total", "max", "severity", "flags", "loinc"}.""",
    "screen": """\
Usage: ketacare screen FILE|-

Run the eligibility screen of one candidate for one route.

Input:  {"route", "age", "diagnosis", "failed_adequate_trials", "conditions", "pregnant",
        "breastfeeding"} and optionally "phq9" (nine answers), "madrs_total",
        "blood_pressure": {"systolic", "diastolic"}.
Output: {"route", "decision", "rules": [{"id", "outcome", "message", "source"}]};
        decision is eligible, needs_review or not_eligible.""",
    "dose": """\
Usage: ketacare dose FILE|-

Dose arithmetic and dose limits of one order.

Input:  {"route": "iv_ketamine", "weight_kg", "dose_mg_per_kg", "duration_min",
        "concentration_mg_per_ml"}, or {"route": "esketamine_nasal", "dose_mg"}, or
        {"route": "oral_ketamine", "dose_mg"}.
Output: {"route", "dose_mg"} plus "volume_ml" and "rate_ml_per_h" (IV) or "devices"
        (esketamine). A dose or weight outside the limits is invalid input (exit 2).""",
    "monitor": """\
Usage: ketacare monitor FILE|-

Judge one treatment session: may the dose be given, which alerts stand, when the next reading
is due, whether the patient may be discharged.

Input:  {"route", "dose_at" (or null), "now", "pre_dose": {vitals}, "readings": [{"at",
        vitals..., "symptoms"}]} and optionally "infusion_duration_min", "checklist",
        "attestations". Times are ISO 8601 with an offset.
Output: {"dosing", "alerts": [{"rule", "level", "at", "message"}], "next_reading_due",
        "discharge": {"ready", "earliest", "reasons"}}.""",
    "outcomes": """\
Usage: ketacare outcomes FILE|-

Response, remission and relapse over a series of scores of one instrument.

Input:  {"instrument": phq9|gad7|madrs|qids_sr16, "assessments": [{"date", "total"}, ...]}
        and optionally "baseline_date".
Output: {"instrument", "baseline", "latest", "nadir", "percent_change", "response",
        "remission", "relapse", "status"}.""",
    "schedule": """\
Usage: ketacare schedule FILE|-

The dated sessions of one protocol on the days a clinic treats.

Input:  {"protocol", "start": "YYYY-MM-DD", "clinic_days": [0-6, 0 = Monday]} and optionally
        "weeks" (1-104, default 24). Protocol ids: ketacare protocols.
Output: {"protocol", "sessions": [{"number", "date", "phase", "dose"}]}.""",
    "protocols": """\
Usage: ketacare protocols

List every treatment protocol with its route, source, spacing rule and phases. Takes no
arguments and no input.

Output: {"protocols": [{"id", "version", "title", "route", "source", "evidence", "spacing",
        "phases", ...}]}.""",
    "rules": """\
Usage: ketacare rules [--format json|markdown]

The catalogue of every clinical rule. Takes no input.

Output (json, the default): [{"id", "summary", "default", "source", "evidence"}], sorted by
id. Markdown: the same catalogue as tables, as in docs/clinical-rules.md.""",
}


def wants_help(args: list[str]) -> bool:
    """True when a subcommand's arguments ask for its usage rather than name an input file."""
    return any(arg in HELP_FLAGS for arg in args)


def help_text(name: str) -> str:
    """The usage of one clinical subcommand, ready to print."""
    body = _BODIES[name]
    reads_input = "FILE|-" in body.splitlines()[0]
    parts = [body, _INPUT] if reads_input else [body]
    return "\n\n".join([*parts, _EXIT, _MORE]) + "\n"
