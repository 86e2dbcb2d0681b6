"""How often things happen in the synthetic population, and where each figure comes from.

Figures with a reference section are the clinical reference's; the rest are assumptions made for
synthetic data ([D] below: design defaults, not published prevalences) and say so. Thresholds
(blood pressure limits, schedule intervals, dose limits) are never here: they are the clinical
core's (`ketacare.clinical`), read at run time.
"""

from __future__ import annotations

# --- Side effects per session ---------------------------------------------------------------

# Reference 4.1: the label's most common adverse reactions of esketamine, percent of patients in
# the pooled short-term TRD studies (dissociation 41 % ... feeling drunk 5 %).
ESKETAMINE_LABEL_PERCENT: dict[str, float] = {
    "dissociation": 41,
    "dizziness": 29,
    "nausea": 28,
    "sedation": 23,
    "vertigo": 23,
    "hypoesthesia": 18,
    "anxiety": 13,
    "lethargy": 11,
    "blood_pressure_increased": 10,
    "vomiting": 9,
    "feeling_drunk": 5,
}
# Reference 3.3 (JNJ-SED, REMS post-marketing data): sedation in 61.9 % of patients but 34.7 % of
# sessions. The label's per-patient rates above are turned into per-session rates by the same
# ratio, the only sessions-to-patients ratio the reference gives.
SESSIONS_PER_PATIENT_RATIO = 34.7 / 61.9
# Reference 4.2 gives the acute effects of IV ketamine without frequencies [U]. As a stand-in
# [D], the IV sessions use the esketamine label rates of the terms 4.2 names (dissociation and
# perceptual change, nausea, vomiting, dizziness, drowsiness, blurred vision), and TRANSFORM-1's
# headache and blurred-vision rates (reference 4.1 trial table) where the label list has none.
IV_PERCENT: dict[str, float] = {
    "dissociation": 41,
    "perceptual_change": 13,
    "nausea": 28,
    "vomiting": 9,
    "dizziness": 29,
    "somnolence": 19.5,
    "headache": 20.3,
    "vision_blurred": 7.4,
    "blood_pressure_increased": 10,
    "heart_rate_increased": 5,
}
# [D] Oral ketamine: about a quarter of the IV exposure (reference 1.4, oral bioavailability
# ~20-25 %); its side effects are taken at half the IV rates.
ORAL_FACTOR = 0.5
# [D] "Blood pressure increased" is charted in sessions whose readings were elevated
# (MON-BP-ELEVATED); about this share of sessions have one, so the term keeps its overall rate.
ELEVATED_SESSION_SHARE = 0.27

# CTCAE grade of a charted side effect (reference 4.4) [D]: most are mild and resolve within the
# session (reference 4.1: adverse events usually resolve by ~1.5 h).
GRADE_WEIGHTS: dict[int, float] = {1: 88, 2: 11.5, 3: 0.45, 4: 0.05}
SERIOUS_PERCENT = 0.05  # [D]
UNRESOLVED_AT_DISCHARGE_PERCENT = 3  # [D]

# --- Vital signs ----------------------------------------------------------------------------

# Reference 3.3: sedation in 34.7 % of esketamine sessions (JNJ-SED), mostly mild (MOAA/S 4),
# peak 30-45 min, resolved by 1-1.5 h; loss of consciousness 0.3-0.4 % of patients.
ESKETAMINE_SEDATION_PERCENT = 34.7
SEDATION_DEPTH_WEIGHTS: dict[int, float] = {1: 76, 2: 20, 3: 3.5, 4: 0.4, 5: 0.1}
# [D] IV and oral: sedation less often than with esketamine (no frequency in reference 4.2).
IV_SEDATION_PERCENT = 20
ORAL_SEDATION_PERCENT = 12
# Reference 3.3: dissociation (CADSS-based) in 61-84 % of esketamine patients; [D] per session a
# little lower, IV alike (reference 4.2: dissociation expected), oral less.
DISSOCIATION_PERCENT = {"esketamine_nasal": 60, "iv_ketamine": 60, "oral_ketamine": 30}

# Blood pressure rise at the peak, mmHg: (share of sessions, mean systolic rise, sd) [D] shaped
# on reference 3.3 (esketamine: peak ~40 min; a >= 40 mmHg systolic rise in 8-19 % of patients
# over weeks 1-4, more at 65 and over) and 3.4 (IV: mean peak +3 to +16 mmHg systolic, peak at
# 30-40 min of the infusion, back to baseline ~1.5 h after it; severe hypertension in ~1 % of
# sessions).
BP_RISE = {
    "esketamine_nasal": ((92, 8.0, 6.0), (8, 30.0, 10.0)),
    "iv_ketamine": ((90, 7.0, 6.0), (10, 24.0, 10.0)),
    "oral_ketamine": ((95, 5.0, 5.0), (5, 16.0, 8.0)),
}
OLDER_RISE_FACTOR = 1.3  # reference 3.3: more large rises at 65 and over
# [D] minutes over which the rise fades after its peak (reference 3.3: back to pre-dose within
# 2 h in the trials; 3.4: ~1.5 h after the infusion).
RISE_FADE_MIN = {"esketamine_nasal": 55.0, "iv_ketamine": 40.0, "oral_ketamine": 60.0}
# [D] the rare low saturation or slow breathing that the monitoring rules are there to catch.
SPO2_DIP_PER_READING_PERCENT = 0.15
RR_LOW_PER_READING_PERCENT = 0.02
# [D] a nurse records a reading 0-3 min after it is due, and now and then later.
LATE_READING_PERCENT = 3

# --- The chart ------------------------------------------------------------------------------
# [D] A treatment-resistant depression clinic's population, for synthetic data only.
SEX_WEIGHTS = {"female": 58, "male": 41, "unknown": 1}
DIAGNOSIS_WEIGHTS = {"mdd": 92, "bipolar_depression": 5, "other": 3}
# Failed adequate antidepressant trials in the current episode (ELIG-TRD counts them): most
# patients referred for ketamine meet the >= 2 of reference 2.1.
FAILED_TRIALS_WEIGHTS = {0: 4, 1: 8, 2: 35, 3: 28, 4: 15, 5: 10}
# Current medication classes, percent of patients (each independently).
MEDICATION_PERCENT = {
    "antidepressant": 85,
    "benzodiazepine": 18,
    "other_sedative": 6,
    "opioid": 4,
    "stimulant": 9,
    "maoi": 1,
    "other": 35,
}
MEDICATIONS = {
    "antidepressant": (
        "sertraline 150 mg daily",
        "escitalopram 20 mg daily",
        "bupropion XL 300 mg daily",
        "venlafaxine XR 225 mg daily",
        "duloxetine 60 mg daily",
        "vortioxetine 20 mg daily",
        "mirtazapine 30 mg at night",
    ),
    "benzodiazepine": ("lorazepam 0.5 mg at night", "clonazepam 0.5 mg twice daily"),
    "other_sedative": ("zolpidem 5 mg at night", "trazodone 50 mg at night"),
    "opioid": ("tramadol 50 mg as needed",),
    "stimulant": ("methylphenidate ER 36 mg daily", "modafinil 100 mg daily"),
    "maoi": ("phenelzine 45 mg daily",),
    "other": (
        "lisinopril 10 mg daily",
        "levothyroxine 75 mcg daily",
        "atorvastatin 20 mg daily",
        "metformin 500 mg twice daily",
        "lamotrigine 100 mg daily",
    ),
}
# Screening condition codes (reference 2.8), percent of patients.
CONDITION_PERCENT = {
    "hypertension_controlled": 18,
    "uncontrolled_hypertension": 2,
    "obstructive_sleep_apnea": 5,
    "substance_use_disorder_active": 3,
    "psychotic_features_history": 3,
    "psychotic_disorder": 0.7,
    "moderate_hepatic_impairment": 0.5,
    "significant_pulmonary_disease": 1,
    "cognitive_impairment": 0.5,
    "recent_cardiac_event": 0.5,
    "cerebrovascular_disease": 0.5,
    "interstitial_cystitis": 0.3,
    "aneurysmal_vascular_disease": 0.2,
}
ALLERGY_PERCENT = 15
ALLERGIES = (("penicillin", "rash"), ("sulfonamides", "hives"), ("latex", "itching"))
CONSENT_PERCENT = 96
PREGNANT_PERCENT = 0.3
SUICIDAL_ITEM_PERCENT = 15
MADRS_PERCENT = 40

# --- The path -------------------------------------------------------------------------------
REVIEWED_PERCENT = 88
# A prescriber signs `not_eligible` over a screen that only needs review now and then.
NOT_ELIGIBLE_OVER_REVIEW_PERCENT = 12
PLANNED_PERCENT = 75  # of the patients signed eligible
ROUTE_WEIGHTS = {"esketamine_nasal": 48, "iv_ketamine": 46, "oral_ketamine": 6}
PROTOCOL_WEIGHTS = {
    "esketamine_nasal": {"esketamine_trd_label": 90, "esketamine_mdsi_label": 10},
    "iv_ketamine": {
        "iv_induction_3x_weekly": 40,
        "iv_induction_2x_weekly": 40,
        "iv_maintenance_taper": 20,
    },
    "oral_ketamine": {"oral_titration_example": 100},
}
# Esketamine TRD: the dose raised from the first dose to the most per session (reference 1.3:
# "later sessions 56 or 84 mg") for about half of the patients, at their third session.
ESKETAMINE_RAISED_PERCENT = 55
ESKETAMINE_RAISED_AT_SESSION = 3
# The esketamine TRD maintenance interval (reference 1.3: weekly or every 2 weeks).
WEEKLY_MAINTENANCE_PERCENT = 30
IV_DOSE_WEIGHTS = {"default": 80, "warn": 8, "low": 12}
IV_LONGER_INFUSION_PERCENT = 15
CANCELLED_SESSION_PERCENT = 3
DROPOUT_PERCENT = 8
# REMS Patient Monitoring Forms (SAFE-REMS-FORM): most are submitted in time, a few are late.
REMS_SUBMITTED_PAST_DUE_PERCENT = 97
REMS_SUBMITTED_NOT_YET_DUE_PERCENT = 60

# --- PHQ-9 over the course and its follow-up (module `answers`) -----------------------------
# [D] Outcome classes at the end of induction; response 52 % and remission 30 % of those who
# finish it, near the real-world pooled rates of reference 6.4 (Alnefeesi 2022: 45 % / 30 %)
# and the IV ketamine trial (ELEKT-D: 55.4 % response).
OUTCOME_WEIGHTS: dict[str, float] = {"remission": 30, "response": 22, "partial": 20, "none": 28}
# [D] Responders who relapse (OUT-RELAPSE-PHQ9) during their follow-up, and the median day of
# relapse after the end of induction: between the IV figures of reference 6.3 (KetECT remitters
# 70 % within 12 months, median 57 days) and esketamine continued in SUSTAIN-1 (27 %), as a
# clinic that offers maintenance sessions might see.
RELAPSE_PERCENT = 45
RELAPSE_MEDIAN_DAYS = 90
# [D] A scheduled answer that never comes, and patients who stop answering altogether (at each
# follow-up timepoint), so the relapse curve has censored patients as a real clinic's has.
MISSED_ANSWER_PERCENT = 6
STOPS_ANSWERING_PERCENT = 3
