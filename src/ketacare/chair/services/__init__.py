"""Use cases of a session at the chair (contracts.md 2.3): pre-dose checks, the dose, readings,
alerts, side effects, discharge and amendments.

Every function is keyword-only and takes the acting membership (`by`) and `now` (None: the
server's clock; tests and the demo pass it). Each checks the role table, runs in one durable
transaction that locks the patient, the plan and the session rows in that order, checks
`version` when given (stale: 409 `stale_version`), asks the clinical core every medical
question, bumps the session's `version`, stores the alerts raised and records the audit event
as its last statement. Errors: ValidationError naming the field (422), ChairConflict (409 with
`code` and `reasons`), PermissionDenied (403), Http404 across clinics.
"""

from ketacare.chair.services.alerts import acknowledge_alert, persist_alerts
from ketacare.chair.services.amend import amend_session
from ketacare.chair.services.discharge import discharge_session, judge_discharge
from ketacare.chair.services.dose import DoseOutcome, confirm_witness, record_count, record_dose
from ketacare.chair.services.inputs import PreDoseInput, ReadingInput
from ketacare.chair.services.predose import PreDoseOutcome, decide_proceed, record_pre_dose
from ketacare.chair.services.readings import ReadingOutcome, record_reading, record_reading_as
from ketacare.chair.services.side_effects import record_side_effect, resolve_side_effect

__all__ = [
    "DoseOutcome",
    "PreDoseInput",
    "PreDoseOutcome",
    "ReadingInput",
    "ReadingOutcome",
    "acknowledge_alert",
    "amend_session",
    "confirm_witness",
    "decide_proceed",
    "discharge_session",
    "judge_discharge",
    "persist_alerts",
    "record_count",
    "record_dose",
    "record_pre_dose",
    "record_reading",
    "record_reading_as",
    "record_side_effect",
    "resolve_side_effect",
]
