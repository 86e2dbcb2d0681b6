"""What each staff role may do, as data. Deny by default.

A permission not listed for a role is refused; a role not in the table (or no membership at
all) has no permission. Checks take the acting membership (see `ketacare.clinics.tenancy`);
the clinic boundary is enforced separately by the scoped queries, so a permission here never
reaches another clinic's data. `docs/permissions.md` is generated from this table
(`ketacare permissions --format markdown`, `make permissions-doc`); a test fails when it is stale.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from ketacare.clinics.models import Role

if TYPE_CHECKING:
    from ketacare.clinics.models import Membership


class Permission(StrEnum):
    # Patients: finding them, demographics and contact.
    VIEW_PATIENT_LIST = "view_patient_list"
    VIEW_PATIENT = "view_patient"
    ADD_PATIENT = "add_patient"
    CHANGE_PATIENT = "change_patient"
    # The clinical chart: history, medications, conditions, trials, scales, care-team notes.
    VIEW_CLINICAL = "view_clinical"
    CHART_CLINICAL = "chart_clinical"
    RECORD_CONSENT = "record_consent"
    SIGN_NOTE = "sign_note"
    # Intake queue.
    VIEW_INTAKE = "view_intake"
    MANAGE_INTAKE = "manage_intake"
    # Eligibility review.
    VIEW_ELIGIBILITY = "view_eligibility"
    SIGN_ELIGIBILITY = "sign_eligibility"
    # Treatment plans, dose orders and the clinic's schedule.
    VIEW_SCHEDULE = "view_schedule"
    VIEW_PLAN = "view_plan"
    SIGN_PLAN = "sign_plan"
    SCHEDULE_SESSION = "schedule_session"
    # Sessions at the chair: the monitored record, the nurse board, the REMS forms.
    VIEW_SESSION = "view_session"
    CHART_SESSION = "chart_session"
    DECIDE_SESSION = "decide_session"
    SUBMIT_REMS_FORM = "submit_rems_form"
    # Long-term results: links to scales, follow-up, alerts, clinic outcomes, progress reports.
    VIEW_FOLLOWUP = "view_followup"
    SEND_ASSESSMENT_LINK = "send_assessment_link"
    ACKNOWLEDGE_OUTCOME_ALERT = "acknowledge_outcome_alert"
    VIEW_CLINIC_OUTCOMES = "view_clinic_outcomes"
    RELEASE_REPORT = "release_report"
    # The clinic itself.
    USE_ADMIN = "use_admin"
    MANAGE_MEMBERSHIPS = "manage_memberships"
    CHANGE_CLINIC = "change_clinic"
    VIEW_AUDIT_REPORT = "view_audit_report"


# What each permission lets a person do, in words (docs/permissions.md and the 403 page).
DESCRIPTIONS: dict[Permission, str] = {
    Permission.VIEW_PATIENT_LIST: "find patients in the clinic's list",
    Permission.VIEW_PATIENT: "open a patient's demographics and contact details",
    Permission.ADD_PATIENT: "register a patient (also from an intake request)",
    Permission.CHANGE_PATIENT: "correct demographics, contact and emergency contact",
    Permission.VIEW_CLINICAL: "read the clinical chart: history, medications, conditions, "
    "trials, scales, vitals and care-team notes",
    Permission.CHART_CLINICAL: "record weights, vitals, allergies, medications, conditions, "
    "pregnancy status, psychiatric history, antidepressant trials and rating scales",
    Permission.RECORD_CONSENT: "record a signed consent document",
    Permission.SIGN_NOTE: "sign a care-team note or an amendment",
    Permission.VIEW_INTAKE: "read the intake queue",
    Permission.MANAGE_INTAKE: "enter intake requests, move them through the queue, register "
    "the patient",
    Permission.VIEW_ELIGIBILITY: "see the eligibility screen and signed reviews",
    Permission.SIGN_ELIGIBILITY: "sign an eligibility decision",
    Permission.VIEW_SCHEDULE: "see the clinic's day and week of sessions",
    Permission.VIEW_PLAN: "read treatment plans and dose orders",
    Permission.SIGN_PLAN: "create a treatment plan and sign its dose order",
    Permission.SCHEDULE_SESSION: "move or cancel a planned session",
    Permission.VIEW_SESSION: "read the chair-side record of sessions, the nurse board and the "
    "REMS forms",
    Permission.CHART_SESSION: "check a patient in, record pre-dose checks, the dose, readings and "
    "side effects, acknowledge alerts, witness a controlled-substance count, discharge",
    Permission.DECIDE_SESSION: "record the decision to dose over a hold, and override a discharge "
    "criterion with a written reason",
    Permission.SUBMIT_REMS_FORM: "mark a REMS Patient Monitoring Form submitted",
    Permission.VIEW_FOLLOWUP: "see which scales are due, overdue and answered, and every "
    "e-mail that failed (not the answers)",
    Permission.SEND_ASSESSMENT_LINK: "send a patient a link to answer a rating scale",
    Permission.ACKNOWLEDGE_OUTCOME_ALERT: "acknowledge a suicidality or early-warning alert "
    "with a note",
    Permission.VIEW_CLINIC_OUTCOMES: "read the clinic's outcomes (response, remission, relapse) "
    "and export them",
    Permission.RELEASE_REPORT: "release a patient's progress report to a referring clinician",
    Permission.USE_ADMIN: "open the admin site (clinic-scoped)",
    Permission.MANAGE_MEMBERSHIPS: "invite staff, change roles, deactivate, reset an authenticator",
    Permission.CHANGE_CLINIC: "edit the clinic's details",
    Permission.VIEW_AUDIT_REPORT: "read the audit report and export it",
}

P = Permission

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    # Compliance and the running of the clinic; reads the chart for audits, signs nothing clinical.
    Role.CLINIC_ADMIN: frozenset(
        {
            P.VIEW_PATIENT_LIST,
            P.VIEW_PATIENT,
            P.ADD_PATIENT,
            P.CHANGE_PATIENT,
            P.VIEW_CLINICAL,
            P.RECORD_CONSENT,
            P.VIEW_INTAKE,
            P.MANAGE_INTAKE,
            P.VIEW_ELIGIBILITY,
            P.VIEW_SCHEDULE,
            P.VIEW_PLAN,
            P.SCHEDULE_SESSION,
            P.VIEW_SESSION,
            P.SUBMIT_REMS_FORM,
            P.USE_ADMIN,
            P.MANAGE_MEMBERSHIPS,
            P.CHANGE_CLINIC,
            P.VIEW_AUDIT_REPORT,
            P.VIEW_FOLLOWUP,
            P.VIEW_CLINIC_OUTCOMES,
        }
    ),
    # Decides: the only role that signs eligibility decisions and dose orders.
    Role.PRESCRIBER: frozenset(
        {
            P.VIEW_PATIENT_LIST,
            P.VIEW_PATIENT,
            P.ADD_PATIENT,
            P.CHANGE_PATIENT,
            P.VIEW_CLINICAL,
            P.CHART_CLINICAL,
            P.RECORD_CONSENT,
            P.SIGN_NOTE,
            P.VIEW_INTAKE,
            P.VIEW_ELIGIBILITY,
            P.SIGN_ELIGIBILITY,
            P.VIEW_SCHEDULE,
            P.VIEW_PLAN,
            P.SIGN_PLAN,
            P.SCHEDULE_SESSION,
            P.VIEW_SESSION,
            P.CHART_SESSION,
            P.DECIDE_SESSION,
            P.SUBMIT_REMS_FORM,
            P.VIEW_FOLLOWUP,
            P.SEND_ASSESSMENT_LINK,
            P.ACKNOWLEDGE_OUTCOME_ALERT,
            P.VIEW_CLINIC_OUTCOMES,
            P.RELEASE_REPORT,
        }
    ),
    # Charts and runs the chair (monitoring, discharge); signs no review, order or override.
    Role.NURSE: frozenset(
        {
            P.VIEW_PATIENT_LIST,
            P.VIEW_PATIENT,
            P.VIEW_CLINICAL,
            P.CHART_CLINICAL,
            P.RECORD_CONSENT,
            P.SIGN_NOTE,
            P.VIEW_ELIGIBILITY,
            P.VIEW_SCHEDULE,
            P.VIEW_PLAN,
            P.VIEW_SESSION,
            P.CHART_SESSION,
            P.SUBMIT_REMS_FORM,
            P.VIEW_FOLLOWUP,
            P.SEND_ASSESSMENT_LINK,
            P.ACKNOWLEDGE_OUTCOME_ALERT,
        }
    ),
    # Registers and schedules; never reads clinical notes or the clinical chart.
    Role.COORDINATOR: frozenset(
        {
            P.VIEW_PATIENT_LIST,
            P.VIEW_PATIENT,
            P.ADD_PATIENT,
            P.CHANGE_PATIENT,
            P.RECORD_CONSENT,
            P.VIEW_INTAKE,
            P.MANAGE_INTAKE,
            P.VIEW_SCHEDULE,
            P.SCHEDULE_SESSION,
            P.VIEW_FOLLOWUP,
            P.SEND_ASSESSMENT_LINK,
        }
    ),
    # Reads everything a review needs, writes nothing.
    Role.AUDITOR: frozenset(
        {
            P.VIEW_PATIENT_LIST,
            P.VIEW_PATIENT,
            P.VIEW_CLINICAL,
            P.VIEW_INTAKE,
            P.VIEW_ELIGIBILITY,
            P.VIEW_SCHEDULE,
            P.VIEW_PLAN,
            P.VIEW_SESSION,
            P.VIEW_AUDIT_REPORT,
            P.VIEW_FOLLOWUP,
        }
    ),
}

del P


def has_permission(membership: Membership | None, permission: Permission) -> bool:
    if membership is None or not membership.is_active:
        return False
    return permission in ROLE_PERMISSIONS.get(membership.role, frozenset())


def require_permission(membership: Membership | None, permission: Permission) -> None:
    """Raise PermissionDenied (403) unless the membership's role grants `permission`."""
    if not has_permission(membership, permission):
        raise PermissionDenied(f"Your role does not allow {permission.value}.")


def permissions_markdown() -> str:
    """The role table as Markdown (docs/permissions.md)."""
    roles = list(Role)
    lines = [
        "# Who may do what",
        "",
        "Generated from `src/ketacare/clinics/permissions.py` by `make permissions-doc`; do not "
        "edit by hand. Every service checks this one table; anything not marked is refused. "
        "The clinic boundary is separate: nobody ever sees another clinic's records.",
        "",
        "| permission | what it allows | " + " | ".join(r.label for r in roles) + " |",
        "| --- | --- | " + " | ".join(":---:" for _ in roles) + " |",
    ]
    for permission in Permission:
        marks = " | ".join("x" if permission in ROLE_PERMISSIONS[r] else "" for r in roles)
        lines.append(f"| `{permission.value}` | {DESCRIPTIONS[permission]} | {marks} |")
    return "\n".join(lines) + "\n"
