"""Side effects at a session and what they set off (clinical-reference.md 4.1-4.4, section 8).

- `TERMS`: the adverse-event terms offered at the chair, from the esketamine label's most common
  reactions and the trial tables (reference 4.1) and the acute IV effects (4.2); anything else is
  charted as `other` with the staff's own words.
- `check_grade`: a CTCAE v5.0 grade from 1 to 5 (SAFE-AE-GRADE, reference 4.4).
- `notifies_prescriber`: at the clinic's notification grade or above, or serious (SAFE-AE-GRADE).
- `rems_form_due`: the REMS Patient Monitoring Form deadline after an esketamine session
  (SAFE-REMS-FORM).
- `sedation_banner`: the medication classes that put SAFE-CNS-DEP's banner on a session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings

OTHER = "other"

# Term code -> words, in the order of the reference's tables (4.1 label list, then the trial
# tables' further terms, then the IV acute effects of 4.2 not already listed).
TERMS: dict[str, str] = {
    "dissociation": "Dissociation",
    "dizziness": "Dizziness",
    "nausea": "Nausea",
    "sedation": "Sedation",
    "vertigo": "Vertigo",
    "hypoesthesia": "Hypoesthesia (numbness)",
    "anxiety": "Anxiety",
    "lethargy": "Lethargy",
    "blood_pressure_increased": "Blood pressure increased",
    "vomiting": "Vomiting",
    "feeling_drunk": "Feeling drunk",
    "somnolence": "Somnolence",
    "headache": "Headache",
    "dysgeusia": "Dysgeusia (taste change)",
    "paresthesia": "Paresthesia (tingling)",
    "vision_blurred": "Vision blurred",
    "heart_rate_increased": "Heart rate increased",
    "diplopia": "Diplopia (double vision)",
    "perceptual_change": "Perceptual change",
    OTHER: "Other (describe)",
}

# CTCAE v5.0 general grades, paraphrased as in reference 4.4.
GRADES: dict[int, str] = {
    1: "1 Mild: observation only, no intervention",
    2: "2 Moderate: minimal or non-invasive intervention; limits instrumental daily activities",
    3: "3 Severe or medically significant: hospitalization indicated; limits self-care",
    4: "4 Life-threatening: urgent intervention indicated",
    5: "5 Death related to the adverse event",
}

# SAFE-CNS-DEP: medication classes (the chart's) that interact with ketamine at the chair.
SEDATION_BANNER_CLASSES: dict[str, str] = {
    "benzodiazepine": "benzodiazepine",
    "other_sedative": "sedative",
    "opioid": "opioid",
    "stimulant": "psychostimulant",
    "maoi": "MAO inhibitor",
}


def check_term(term: object, other_term: object = "") -> str:
    """The term code, or ClinicalInputError on `term` (unknown) or `other_term` (missing)."""
    if not isinstance(term, str) or term not in TERMS:
        raise ClinicalInputError("term", f"term must be one of: {', '.join(TERMS)}; got {term!r}.")
    if term == OTHER and not (isinstance(other_term, str) and other_term.strip()):
        raise ClinicalInputError("other_term", "Describe the side effect when the term is other.")
    return term


def check_grade(grade: object, settings: ClinicalSettings = DEFAULT_SETTINGS) -> int:
    """A CTCAE grade within SAFE-AE-GRADE's scale, else ClinicalInputError on `grade`."""
    low = int(settings.value("SAFE-AE-GRADE", "grade_minimum"))
    high = int(settings.value("SAFE-AE-GRADE", "grade_maximum"))
    if isinstance(grade, bool) or not isinstance(grade, int) or not low <= grade <= high:
        raise ClinicalInputError(
            "grade", f"grade must be a CTCAE grade from {low} to {high} (SAFE-AE-GRADE)."
        )
    return grade


def notifies_prescriber(
    grade: int, serious: bool, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> bool:
    """SAFE-AE-GRADE: a serious event, or one at the notification grade or above."""
    return serious or grade >= int(
        settings.value("SAFE-AE-GRADE", "notify_prescriber_grade_at_least")
    )


def notification_message(term_words: str, grade: int, serious: bool, route: str) -> str:
    """The sentence of the prescriber's SAFE-AE-GRADE alert."""
    what = f"{term_words}, CTCAE grade {grade}" + (", serious" if serious else "")
    text = f"Side effect for the prescriber's review: {what}."
    if route == "esketamine_nasal":
        text += " Esketamine adverse events are reportable to the SPRAVATO REMS."
    return text


def rems_form_due(session_day: dt.date, settings: ClinicalSettings = DEFAULT_SETTINGS) -> dt.date:
    """SAFE-REMS-FORM: the last day to submit the Patient Monitoring Form of a session."""
    days = int(settings.value("SAFE-REMS-FORM", "submission_within_days"))
    return session_day + dt.timedelta(days=days)


def sedation_banner(medication_classes: Iterable[str]) -> tuple[str, ...]:
    """SAFE-CNS-DEP: the interacting classes on the medication list, in words, each once."""
    found = {SEDATION_BANNER_CLASSES[c] for c in medication_classes if c in SEDATION_BANNER_CLASSES}
    return tuple(sorted(found))
