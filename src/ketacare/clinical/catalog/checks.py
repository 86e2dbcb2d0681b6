"""KetaCare's own pre-dose checks (CHECK-*): what a dose waits on that no reference rule names.

The reference's pre-dose rules (3.5) judge what was recorded; a dose also needs positive evidence
that the pre-dose record exists and that the patient's identity and consent were confirmed at the
chair (contracts.md 2.3 checklist `identity_confirmed`, `consent_current`; contracts.md 2.1: the
chair's "consent current" check uses the chart's latest treatment consent). No clinical source
covers these: they are KetaCare design defaults [D], with no thresholds. The code that applies
them is `ketacare.clinical.monitoring.dose_gate`.
"""

from __future__ import annotations

from ketacare.clinical.rules import Evidence, Rule

SOURCE = "KetaCare design default [D]; contracts.md 2.3 (pre-dose checklist)"

RULES: tuple[Rule, ...] = (
    Rule(
        id="CHECK-PRE-DOSE",
        summary=(
            "No dose without the pre-dose record: the patient is checked in and the pre-dose "
            "checklist and vitals are recorded (and judged by the MON-* pre-dose rules) before "
            "any dose is given. KetaCare design default [D]."
        ),
        section="3.5",
        source=SOURCE,
        evidence=Evidence.DESIGN_DEFAULT,
    ),
    Rule(
        id="CHECK-IDENTITY",
        summary=(
            "No dose until the patient's identity is confirmed at the chair (two identifiers), "
            "recorded on the pre-dose checklist. KetaCare design default [D]."
        ),
        section="3.5",
        source=SOURCE,
        evidence=Evidence.DESIGN_DEFAULT,
    ),
    Rule(
        id="CHECK-CONSENT",
        summary=(
            "No dose until consent is confirmed as current at the chair and the chart's latest "
            "treatment consent stands on the session's date (contracts.md 2.1). KetaCare design "
            "default [D]."
        ),
        section="3.5",
        source=SOURCE + "; contracts.md 2.1 (consent)",
        evidence=Evidence.DESIGN_DEFAULT,
    ),
)
