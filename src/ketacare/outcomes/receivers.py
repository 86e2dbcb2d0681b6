"""What long-term results do when something happens below them (connected in apps.py):

- a plan is created or its sessions move (`treatment.signals.plan_scheduled`): lay out its
  timepoints;
- a scale is recorded by any channel (`patients.signals.assessment_recorded`): tie it to its
  timepoint, raise its suicidality alerts, then judge the early warning (which may take its
  baseline from the timepoint just assigned: hence one receiver, in this order).

Both run inside the sender's transaction: if anything here fails, nothing of it is stored.
"""

from __future__ import annotations

from typing import Any

from ketacare.outcomes.early_warning import raise_early_warning
from ketacare.outcomes.services_alerts import raise_suicidality_alerts
from ketacare.outcomes.services_schedule import sync_timepoints
from ketacare.outcomes.timepoints import assign_to_timepoint

PLAN_SCHEDULED_UID = "outcomes.sync_timepoints"
ASSESSMENT_RECORDED_UID = "outcomes.assign_and_alert"


def on_plan_scheduled(sender: object, plan: Any, by: Any = None, **_: Any) -> None:
    sync_timepoints(plan, by=by)


def on_assessment_recorded(
    sender: object, assessment: Any, timepoint: Any = None, by: Any = None, **_: Any
) -> None:
    """`timepoint` (optional) is the one a sender knows the answer belongs to."""
    assign_to_timepoint(assessment, timepoint=timepoint)
    raise_suicidality_alerts(assessment)
    raise_early_warning(assessment, by=by)
