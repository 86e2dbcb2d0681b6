"""Rules of the protocols domain: the spacing rules of clinical-reference.md 1.6.

The reference's protocol table gives each protocol a spacing rule but no rule id, so each one is
named here `PROT-<PROTOCOL-ID>-SPACING` (the protocol id upper-cased, `_` as `-`). The spacing
numbers live in this registry, not in the protocol data files: they are [D] design defaults
(the oral one aside) that decide when a session may be booked, so a clinic must be able to
change them, audited, through `ClinicalSettings`, and `ketacare rules` must show how firm each is.
Each protocol data file names its spacing rule; the loader refuses a file naming an unknown one.

Spacing is measured as the number of calendar days from one session date to the next
(`minimum_days_apart`): Monday to Wednesday is 2. The table's wording is read so:
- "at least 1 day between sessions (no consecutive days)": one free day between -> 2 days apart;
- "at least 2 days between sessions": two free days between -> 3 days apart (the same reading
  of "between" as the row above, and the more conservative of the two possible readings);
- "sessions at least 2 days apart": 2 days apart (Monday/Wednesday allowed);
- "at least 3 days": 3 days apart;
- "interval +/-2 days": each session within `tolerance_days` of its nominal interval
  (weekly = 7, every 2 weeks = 14, monthly = 28) after the previous one.

A clinic may make a spacing stricter, but only as far as the protocol's frequency still fits
(the sane range's maximum): k sessions a week can be kept at most floor(7 / k) days apart (3/week
-> 2, 2/week -> 3), a session every n days at most n days apart (the oral series -> 3), and a
tolerance must stay below the shortest interval. A clinic that wants sessions further apart
chooses a less frequent protocol: a spacing that turned "3/week" into twice weekly would make
the listing contradict the schedule. The protocol loader refuses, at import, a data file whose
frequency its spacing rule's range does not fit (protocols/loader.py). Where that leaves a single
value (3/week: 2 days apart; the oral series: 3), the threshold is fixed (`configurable=False`),
not a range a clinic could seem to move.

PROT-ORAL-TITRATION-EXAMPLE-SESSIONS is the "clinic-defined count" of the oral titration series:
a clinic setting by nature, with a KetaCare default of 6 sessions (as many as the IV inductions).
"""

from __future__ import annotations

from ketacare.clinical.rules import Evidence, Rule, Threshold

D = Evidence.DESIGN_DEFAULT


# The fewest calendar days apart any spacing rule allows: never two sessions on consecutive days.
_FEWEST_DAYS_APART = 2

WEEK_DAYS = 7
"""The days of the calendar week a `per_week` frequency counts in (k sessions in any 7 days).

Defined here, the one place both the registry and the protocols package can import without a
cycle (`ketacare.clinical.protocols` imports the registry, which gathers this module)."""


def _minimum_apart(
    protocol_id: str, wording: str, days: int, source: str, *, per_week: int
) -> Rule:
    # `per_week`: the protocol's most frequent step, which bounds how far a clinic may raise it.
    most = WEEK_DAYS // per_week
    fixed = most == _FEWEST_DAYS_APART
    how_far = (
        f"fixed: a longer spacing would not let {per_week} sessions a week fit"
        if fixed
        else f"a clinic may raise it to at most {most}, so that {per_week} sessions a week "
        "still fit"
    )
    return Rule(
        id=f"PROT-{protocol_id.upper().replace('_', '-')}-SPACING",
        summary=(
            f"{protocol_id}: {wording}; the next session is at least {days} calendar days after "
            f"the previous one ({how_far}). Id named by KetaCare (the reference's table has none)."
        ),
        section="1.6",
        source=source,
        evidence=D,
        thresholds=(
            Threshold("minimum_days_apart", days, _FEWEST_DAYS_APART, most, configurable=not fixed),
        ),
    )


RULES: tuple[Rule, ...] = (
    _minimum_apart(
        "iv_induction_3x_weekly",
        "at least 1 day between sessions (no consecutive days)",
        2,
        "KetaCare design default [D]; protocol MURROUGH-2013B",
        per_week=3,
    ),
    _minimum_apart(
        "iv_induction_2x_weekly",
        "at least 2 days between sessions",
        3,
        "KetaCare design default [D]; protocol ELEKTD-2023",
        per_week=2,
    ),
    Rule(
        id="PROT-IV-MAINTENANCE-TAPER-SPACING",
        summary=(
            "iv_maintenance_taper: each session within 2 days of its nominal interval (weekly, "
            "every 2 weeks, monthly) after the previous one. Id named by KetaCare (the "
            "reference's table has none)."
        ),
        section="1.6",
        source="KetaCare design default [D]; protocol KETECT-CAN-PROTO",
        evidence=D,
        thresholds=(Threshold("tolerance_days", 2, 0, 3),),
    ),
    _minimum_apart(
        "esketamine_trd_label",
        "twice-weekly sessions at least 2 days apart",
        2,
        "KetaCare design default [D]; protocol ESK-PI-CUR",
        per_week=2,
    ),
    _minimum_apart(
        "esketamine_mdsi_label",
        "sessions at least 2 days apart",
        2,
        "KetaCare design default [D]; protocol ONA-ESK",
        per_week=2,
    ),
    Rule(
        id="PROT-ORAL-TITRATION-EXAMPLE-SPACING",
        summary=(
            "oral_titration_example: sessions at least 3 days apart (every 3 days in the series; "
            "a longer spacing would not be that series). Id named by KetaCare (the reference's "
            "table has none)."
        ),
        section="1.6",
        source="ALSHIRAWI-2017",
        evidence=Evidence.VERIFIED,
        # Fixed: the source's own 3 days [V], and a longer spacing would not be its series.
        thresholds=(Threshold.fixed("minimum_days_apart", 3),),
    ),
    Rule(
        id="PROT-ORAL-TITRATION-EXAMPLE-SESSIONS",
        summary=(
            "oral_titration_example: the clinic-defined number of titration sessions; KetaCare "
            "default 6 (no clinical source). Id named by KetaCare."
        ),
        section="1.6",
        source="KetaCare design default [D]",
        evidence=D,
        thresholds=(Threshold("default_sessions", 6, 1, 24),),
    ),
)
