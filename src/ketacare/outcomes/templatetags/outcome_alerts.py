"""The open-alert count of the navigation and the banner of a patient's chart.

Template tags, so neither the base template's context nor the chart view (a lower layer) needs
to know about outcome alerts; both read under the acting membership, scoped to its clinic.
"""

from __future__ import annotations

from typing import Any

from django import template

from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import acting_membership
from ketacare.outcomes.services_alerts import open_alerts

register = template.Library()


@register.simple_tag(takes_context=True)
def open_outcome_alert_count(context: dict[str, Any]) -> int:
    """How many alerts of the acting clinic wait to be acknowledged (0 without the permission)."""
    membership = acting_membership(context["request"])
    if not has_permission(membership, Permission.ACKNOWLEDGE_OUTCOME_ALERT):
        return 0
    return open_alerts(membership).count()


@register.inclusion_tag("outcomes/alerts_banner.html", takes_context=True)
def outcome_alert_banner(context: dict[str, Any], patient: Any) -> dict[str, Any]:
    """The chart's banner: the patient's open alerts, most urgent first (VIEW_CLINICAL only;
    the chart's read event already records that the chart was opened)."""
    membership = acting_membership(context["request"])
    rows: list[Any] = []
    if has_permission(membership, Permission.VIEW_CLINICAL):
        rows = list(open_alerts(membership).filter(patient_id=patient.pk)[:5])
    return {"rows": rows}
