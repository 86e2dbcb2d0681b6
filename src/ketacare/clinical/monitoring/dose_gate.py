"""What must stand before any dose is given, beyond the go/hold of the pre-dose rules
(contracts.md 2.3 `POST /sessions/{id}/dose`; clinical-reference.md 3.1, 3.5 and section 8).

The pre-dose rules of `predose` judge only what was recorded (a missing item raises nothing, as
`ketacare monitor` does). A dose needs positive evidence instead, and each refusal is one
"RULE-ID: sentence" reason (contracts.md 2.0):

- `CHECK-PRE-DOSE`: the pre-dose record (check-in, checklist, vitals) exists.
- `CHECK-IDENTITY`: the patient's identity was confirmed at the chair.
- `CHECK-CONSENT`: consent was confirmed at the chair **and** the chart's latest treatment
  consent stands on the session's date (contracts.md 2.1: the chair's "consent current" check
  uses the latest).
- `MON-REMS-ENROLLED` (SAFE-REMS-GATE, esketamine): the setting is REMS-certified (the clinic's
  certification; a checklist answer can only withdraw it, never grant it) and the patient's
  enrolment is recorded as yes.
- `ELIG-PREGNANCY` (SAFE-PREGNANCY): the chart does not record a pregnancy.

`CHECK-*` are KetaCare's own checklist ids [D] (no reference rule covers identity and consent),
registered with their text in `ketacare.clinical.catalog.checks`; the others are the reference's.

`pregnancy_check_applies` decides who the MON-PREG-TEST checklist item is asked of, and
`setting_certified` the REMS setting answer the checklist records.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketacare.clinical.monitoring.readings import ESKETAMINE

PRE_DOSE_RECORD = "CHECK-PRE-DOSE"
IDENTITY = "CHECK-IDENTITY"
CONSENT = "CHECK-CONSENT"
REMS_GATE = "MON-REMS-ENROLLED"
PREGNANCY = "ELIG-PREGNANCY"

# Sex at birth as the chart records it (contracts.md 2.1 `sex_at_birth`).
MALE = "male"


def pregnancy_check_applies(sex_at_birth: str) -> bool:
    """MON-PREG-TEST / SAFE-PREGNANCY: whether the pregnancy-status checklist item is asked at
    every session. A person of reproductive potential cannot be ruled out from the chart unless
    it records male sex at birth, so `female` and `unknown` are asked (no age cut-off: the
    reference gives none, and asking once too often is the safe side) [D]."""
    return sex_at_birth != MALE


def setting_certified(answer: bool | None, *, clinic_certified: bool) -> bool:
    """SAFE-REMS-GATE: whether the healthcare setting counts as REMS-certified for esketamine.

    The clinic's certification decides; the checklist's answer (None: not given) may only say
    that this setting is not certified. A "yes" in a clinic that is not certified stays no."""
    if answer is None:
        return clinic_certified
    return answer and clinic_certified


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseGate:
    """The facts a dose waits on, as the pre-dose record and the chart hold them at dose time."""

    route: str
    identity_confirmed: bool
    consent_confirmed: bool
    consent_on_chart: bool
    setting_certified: bool | None
    clinic_certified: bool
    patient_enrolled: bool | None
    pregnant_on_chart: bool


def missing_pre_dose() -> str:
    """The reason a dose without a pre-dose record is refused."""
    return (
        f"{PRE_DOSE_RECORD}: The pre-dose record is missing: check the patient in and record the "
        "pre-dose checklist and vitals first."
    )


def dose_refusals(gate: DoseGate) -> tuple[str, ...]:
    """Every reason the dose may not be given, as "RULE-ID: sentence"; empty when it may."""
    reasons: list[str] = []
    if not gate.identity_confirmed:
        reasons.append(f"{IDENTITY}: The patient's identity is not confirmed (two identifiers).")
    if not gate.consent_confirmed:
        reasons.append(
            f"{CONSENT}: The patient's consent is not confirmed as current at the chair."
        )
    if not gate.consent_on_chart:
        reasons.append(
            f"{CONSENT}: The chart holds no treatment consent that stands on the session's date; "
            "record the signed consent first."
        )
    if gate.route == ESKETAMINE:
        if not setting_certified(gate.setting_certified, clinic_certified=gate.clinic_certified):
            reasons.append(
                f"{REMS_GATE}: The healthcare setting is not REMS-certified: esketamine is given "
                "only in a certified setting (SAFE-REMS-GATE)."
            )
        if gate.patient_enrolled is not True:
            reasons.append(
                f"{REMS_GATE}: The patient's enrolment in the SPRAVATO REMS is not recorded "
                "(SAFE-REMS-GATE)."
            )
    if gate.pregnant_on_chart:
        reasons.append(
            f"{PREGNANCY}: The chart records a pregnancy: ketamine is not given during pregnancy "
            "(SAFE-PREGNANCY); the prescriber reviews the plan."
        )
    return tuple(reasons)
