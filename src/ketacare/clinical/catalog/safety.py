"""Cross-cutting safety rules the software must enforce (shared/clinical-reference.md section 8).

A SAFE-* rule names what the product enforces; the numbers behind it are thresholds of the
MON-*, DISCH-*, DOSE-*, ELIG-*, SCALE-* and OUT-* rules it refers to, so they are named here by
rule id and never repeated. Only numbers no other rule carries are thresholds here (the REMS form
deadline, the CTCAE grade scale). Evidence is the weakest of the tags of the rule's row in
section 8 and of the grades of the rules it enforces (its "Traced to" column), so a SAFE-* rule is
never graded firmer than the rule that does its work; the summary says where that lowers it.
From firmest to weakest: verified, secondary, design_default, unverified.
"""

from __future__ import annotations

from ketacare.clinical.rules import Evidence, Rule, Threshold


def _safe(
    rule_id: str,
    summary: str,
    source: str,
    evidence: Evidence,
    *thresholds: Threshold,
    overridable: bool = True,
) -> Rule:
    return Rule(
        id=rule_id,
        summary=summary,
        section="8",
        source=source,
        evidence=evidence,
        thresholds=thresholds,
        overridable=overridable,
    )


RULES: tuple[Rule, ...] = (
    _safe(
        "SAFE-ABS-EXCLUSION",
        "An eligibility review with any `exclude` outcome (the absolute exclusions of section "
        "2.3 and the ELIG-COND-* condition table) cannot be signed eligible.",
        "design.md; reference 2.3 and the condition table",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-REMS-GATE",
        "An esketamine session cannot start unless the clinic is REMS-certified and, for an "
        "outpatient, the patient is enrolled (MON-REMS-ENROLLED).",
        "REMS-SITE; MON-REMS-ENROLLED",
        Evidence.VERIFIED,
    ),
    _safe(
        "SAFE-BP-HOLD",
        "Pre-dose BP above the MON-BP-HOLD limits holds dosing until a prescriber records a "
        "benefit/risk decision; at the MON-BP-PREDOSE-SEVERE limits it is a critical hold. "
        "Graded [D]: the label guide is verified [V], both rules that enforce it are [D].",
        "label guide (ESK-PI-2019); MON-BP-HOLD; MON-BP-PREDOSE-SEVERE",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-SPO2-HOLD",
        "Pre-dose SpO2 below the MON-SPO2-HOLD limit holds dosing. Graded [D]: the trial "
        "criterion is verified [V], its use as a hold (MON-SPO2-HOLD) is [D].",
        "trial criterion (JNJ-RESP); MON-SPO2-HOLD",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-40MIN-BP",
        "Esketamine: a BP reading is due at about +40 min (MON-BP-40MIN window); once overdue, "
        "a warning shows on the nurse board. Graded [D]: the 40-minute check is verified [V], "
        "the window of MON-BP-40MIN is [D].",
        "label (ESK-PI-2019; ESK-SMPC); MON-BP-40MIN",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-HTN-EMERGENCY",
        "Symptoms of hypertensive crisis or encephalopathy (MON-HTN-SYMPTOMS) raise a critical "
        "alert with an 'emergency care' instruction.",
        "ESK-PI-2019 section 5.6; MON-HTN-SYMPTOMS",
        Evidence.VERIFIED,
    ),
    _safe(
        "SAFE-BP-SEVERE",
        "BP at the MON-BP-SEVERE limits after dosing is critical: the prescriber is notified and "
        "an IV infusion is paused pending the prescriber.",
        "MON-BP-SEVERE (design default on label categories)",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-RESP",
        "SpO2 below MON-SPO2-CRITICAL, respiratory rate below MON-RR-LOW or MOAA/S at "
        "MON-SEDATION-DEEP raises a critical alert. Graded [U], the weakest of its rules: "
        "MON-RR-LOW has no guideline found [U].",
        "MON-SPO2-CRITICAL; MON-RR-LOW; MON-SEDATION-DEEP",
        Evidence.UNVERIFIED,
    ),
    _safe(
        "SAFE-ESK-2H",
        "Esketamine discharge is impossible before the DISCH-ESK-MIN-TIME (first device time + "
        "120 min); no override.",
        "label and REMS (ESK-PI-CUR; REMS-FDA); DISCH-ESK-MIN-TIME",
        Evidence.VERIFIED,
        overridable=False,
    ),
    _safe(
        "SAFE-DISCHARGE",
        "Discharge requires every DISCH-* criterion; an override (never of SAFE-ESK-2H) needs a "
        "written prescriber reason and is audited (DISCH-OVERRIDE).",
        "reference 3.6; DISCH-OVERRIDE",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-NO-DRIVE",
        "The discharge checklist records an escort and the instruction 'no driving until the "
        "next day after a restful sleep' (DISCH-ESCORT).",
        "label (ESK-PI-2019 section 17; SPRAVATO-HCP-DOSING); DISCH-ESCORT",
        Evidence.VERIFIED,
    ),
    _safe(
        "SAFE-ITEM9",
        "PHQ-9 item 9 above 0 (SCALE-PHQ9), from any channel: an urgent same-day clinician "
        "review task and crisis resources shown to the patient at once (988 Suicide & Crisis "
        "Lifeline in the US; emergency number). Graded by the trigger: the item's meaning is "
        "verified; the actions are a product requirement.",
        "contracts.md; issue 05; item meaning PHQ9-FSH",
        Evidence.VERIFIED,
    ),
    _safe(
        "SAFE-SI-FLAGS",
        "QIDS-SR16 item 12 above 0 (SCALE-QIDS) or MADRS item 10 at 4 or more (SCALE-MADRS): "
        "the same handling as SAFE-ITEM9. Graded unverified: both items' wordings are [U].",
        "contracts.md; SCALE-QIDS; SCALE-MADRS",
        Evidence.UNVERIFIED,
    ),
    _safe(
        "SAFE-CSSRS-HIGH",
        "C-SSRS risk_high (SCALE-CSSRS-TRIAGE): immediate escalation (clinician notified now; no "
        "dosing until assessed; the clinic's emergency pathway); risk_moderate: same-day "
        "clinician review; risk_low: review at the next contact. Graded by the actions, a design "
        "default; the triage itself is verified (CSSRS-TRIAGE) or secondary (BLUEPRINT-CSSRS).",
        "CSSRS-TRIAGE; BLUEPRINT-CSSRS; actions KetaCare design default",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-ESK-DOSE",
        "Esketamine doses only as the DOSE-ESK-* rules allow: the allowed doses, the first TRD "
        "and MDSI doses, and the most sessions per 7 days. Graded [D]: the label facts are "
        "verified [V], the set of allowed doses (DOSE-ESK-ALLOWED) is built by KetaCare [D].",
        "label (ESK-PI-CUR); DOSE-ESK-*",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-IV-RATE",
        "IV ketamine dose within DOSE-IV-MGKG, infusion at least DOSE-IV-DURATION, and the pump "
        "rate shown with its arithmetic (DOSE-IV-CALC).",
        "DOSE-IV-*",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-PREGNANCY",
        "Pregnant: not eligible (ELIG-PREGNANCY); a pregnancy-status checklist before each "
        "session where relevant (MON-PREG-TEST). Graded [D]: the label's 'not recommended' is "
        "verified [V], both rules that enforce it are [D].",
        "label 'not recommended' (USMED-2021); ELIG-PREGNANCY; MON-PREG-TEST",
        Evidence.DESIGN_DEFAULT,
    ),
    _safe(
        "SAFE-CNS-DEP",
        "A benzodiazepine, opioid or other sedative, or a stimulant or MAOI, on the medication "
        "list: a visible banner during the session.",
        "label interactions (ESK-PI-CUR)",
        Evidence.VERIFIED,
    ),
    _safe(
        "SAFE-AE-GRADE",
        "Every side effect has a CTCAE grade from 1 to 5; at the notification grade or above, "
        "or 'serious', the prescriber is notified; esketamine events are reportable to the REMS.",
        "CTCAE5; REMS-INPT",
        Evidence.VERIFIED,
        Threshold.fixed("grade_minimum", 1),
        Threshold.fixed("grade_maximum", 5),
        # A clinic may notify earlier (grade 2 or 1), never later than severe (grade 3).
        Threshold("notify_prescriber_grade_at_least", 3, 1, 3),
    ),
    _safe(
        "SAFE-REMS-FORM",
        "An esketamine session summary produces the REMS Patient Monitoring Form fields "
        "(reference 3.2); unsubmitted forms are listed until the REMS submission deadline.",
        "REMS-PMF; REMS-SITE",
        Evidence.VERIFIED,
        Threshold.fixed("submission_within_days", 7),
    ),
    _safe(
        "SAFE-RELAPSE-WARN",
        "OUT-EARLY-WARNING fires a prescriber alert suggesting a booster.",
        "reference 6.1; OUT-EARLY-WARNING",
        Evidence.DESIGN_DEFAULT,
    ),
)
