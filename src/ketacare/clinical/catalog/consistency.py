"""Orders that thresholds of the catalog must keep whatever a clinic configures.

Each threshold has its own sane range (`Threshold.minimum` .. `maximum`), but two of them can
still contradict each other when both are moved: MON-SPO2-LOW at 88 with MON-SPO2-CRITICAL at 94
would make the critical alert fire before the warning, MON-BP-HOLD at 180 with
MON-BP-PREDOSE-SEVERE at 140 a severe hold that is not a hold, a MON-BP-40MIN window that opens
when it closes a check no reading can meet. `ClinicalSettings` refuses such settings naming both
rule ids. Pairs whose sane ranges cannot cross today are listed too: they keep holding if a range
is ever widened.
"""

from __future__ import annotations

from ketacare.clinical.rules import Consistency

_WARNING_BEFORE_CRITICAL = "the critical level must be reached no earlier than the warning"
_HOLD_BEFORE_SEVERE = "every severe pressure must also be above the hold or elevated level"
_MINIMUM_MAXIMUM = "the allowed range must not be empty"
_LOW_HIGH = "the low limit must lie below the high limit"


def _pair(
    lower_rule: str, lower: str, relation: str, upper_rule: str, upper: str, why: str
) -> Consistency:
    return Consistency(lower_rule, lower, relation, upper_rule, upper, why)


CONSISTENCY: tuple[Consistency, ...] = (
    # Warning vs critical levels (reference 3.5).
    _pair(
        "MON-SPO2-CRITICAL", "spo2_below_percent", "<=",
        "MON-SPO2-LOW", "spo2_below_percent", _WARNING_BEFORE_CRITICAL,
    ),
    _pair(
        "MON-SEDATION-DEEP", "moaas_at_or_below", "<=",
        "MON-SEDATION", "moaas_at_or_below", _WARNING_BEFORE_CRITICAL,
    ),
    # Hold or elevated vs severe blood pressure (SAFE-BP-HOLD, SAFE-BP-SEVERE).
    _pair(
        "MON-BP-HOLD", "systolic_above_mmhg", "<",
        "MON-BP-PREDOSE-SEVERE", "systolic_at_or_above_mmhg", _HOLD_BEFORE_SEVERE,
    ),
    _pair(
        "MON-BP-HOLD", "diastolic_above_mmhg", "<",
        "MON-BP-PREDOSE-SEVERE", "diastolic_at_or_above_mmhg", _HOLD_BEFORE_SEVERE,
    ),
    _pair(
        "MON-BP-ELEVATED", "systolic_above_mmhg", "<",
        "MON-BP-SEVERE", "systolic_at_or_above_mmhg", _HOLD_BEFORE_SEVERE,
    ),
    _pair(
        "MON-BP-ELEVATED", "diastolic_above_mmhg", "<",
        "MON-BP-SEVERE", "diastolic_at_or_above_mmhg", _HOLD_BEFORE_SEVERE,
    ),
    # The esketamine 40-minute window and the reading the schedule books in it (SAFE-40MIN-BP).
    _pair(
        "MON-BP-40MIN", "window_opens_after_dose_min", "<",
        "MON-BP-40MIN", "window_closes_after_dose_min", "the window must open before it closes",
    ),
    _pair(
        "MON-BP-40MIN", "window_opens_after_dose_min", "<=",
        "MON-SCHEDULE-ESK", "first_reading_after_dose_min",
        "the scheduled first reading must fall inside the 40-minute window",
    ),
    _pair(
        "MON-SCHEDULE-ESK", "first_reading_after_dose_min", "<=",
        "MON-BP-40MIN", "window_closes_after_dose_min",
        "the scheduled first reading must fall inside the 40-minute window",
    ),
    # DISCH-BP: "at or below normal" lies below its cap, and the cap never admits a severe BP.
    _pair(
        "DISCH-BP", "systolic_at_or_below_mmhg", "<",
        "DISCH-BP", "systolic_below_mmhg", "the normal level must lie below the cap",
    ),
    _pair(
        "DISCH-BP", "diastolic_at_or_below_mmhg", "<",
        "DISCH-BP", "diastolic_below_mmhg", "the normal level must lie below the cap",
    ),
    _pair(
        "DISCH-BP", "systolic_below_mmhg", "<=",
        "MON-BP-SEVERE", "systolic_at_or_above_mmhg",
        "a blood pressure that raises a critical alert must never allow discharge",
    ),
    _pair(
        "DISCH-BP", "diastolic_below_mmhg", "<=",
        "MON-BP-SEVERE", "diastolic_at_or_above_mmhg",
        "a blood pressure that raises a critical alert must never allow discharge",
    ),
    # Low and high bounds of one measure.
    _pair(
        "MON-HR-PREDOSE", "heart_rate_below_bpm", "<",
        "MON-HR-PREDOSE", "heart_rate_above_bpm", _LOW_HIGH,
    ),
    _pair("MON-HR", "heart_rate_below_bpm", "<", "MON-HR", "heart_rate_above_bpm", _LOW_HIGH),
    _pair(
        "MON-SCHEDULE-ORAL", "early_interval_min", "<=",
        "MON-SCHEDULE-ORAL", "early_period_min", "the early period must hold a reading",
    ),
    _pair(
        "ELIG-AGE", "exclude_below_years", "<",
        "ELIG-AGE", "review_at_or_above_years", "an excluded age must not be one to review",
    ),
    _pair(
        "OUT-REMISSION-MADRS", "total_at_most_points", "<",
        "OUT-RELAPSE-MADRS", "total_at_least_points", "a remission total must not be a relapse",
    ),
    # Dose limits (reference 1.2, 1.4): minimum <= default <= maximum.
    _pair(
        "DOSE-IV-MGKG", "minimum_mg_per_kg", "<=",
        "DOSE-IV-MGKG", "maximum_mg_per_kg", _MINIMUM_MAXIMUM,
    ),
    _pair(
        "DOSE-IV-MGKG", "minimum_mg_per_kg", "<=",
        "DOSE-IV-MGKG", "default_mg_per_kg", "the default must be an allowed dose",
    ),
    _pair(
        "DOSE-IV-MGKG", "default_mg_per_kg", "<=",
        "DOSE-IV-MGKG", "maximum_mg_per_kg", "the default must be an allowed dose",
    ),
    _pair(
        "DOSE-IV-MGKG", "minimum_mg_per_kg", "<=",
        "DOSE-IV-MGKG", "warn_above_mg_per_kg", "a warning below the minimum would fire always",
    ),
    _pair(
        "DOSE-IV-DURATION", "minimum_min", "<=",
        "DOSE-IV-DURATION", "default_min", "the default must be an allowed duration",
    ),
    _pair(
        "DOSE-IV-DURATION", "default_min", "<=",
        "DOSE-IV-DURATION", "maximum_min", "the default must be an allowed duration",
    ),
    _pair("DOSE-IV-WEIGHT", "minimum_kg", "<=", "DOSE-IV-WEIGHT", "maximum_kg", _MINIMUM_MAXIMUM),
    _pair(
        "DOSE-IV-CONC", "minimum_mg_per_ml", "<=",
        "DOSE-IV-CONC", "maximum_mg_per_ml", _MINIMUM_MAXIMUM,
    ),
    _pair("DOSE-ORAL-RANGE", "minimum_mg", "<=", "DOSE-ORAL-RANGE", "maximum_mg", _MINIMUM_MAXIMUM),
    # CTCAE grades (SAFE-AE-GRADE): the notification grade is a grade.
    _pair(
        "SAFE-AE-GRADE", "grade_minimum", "<=",
        "SAFE-AE-GRADE", "notify_prescriber_grade_at_least", "the grade must exist",
    ),
    _pair(
        "SAFE-AE-GRADE", "notify_prescriber_grade_at_least", "<=",
        "SAFE-AE-GRADE", "grade_maximum", "the grade must exist",
    ),
)  # fmt: skip
