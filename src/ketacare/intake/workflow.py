"""Where an intake request may move next (docs/intake.md, "Statuses").

new → contacted → evaluation scheduled, forward only (a step may be skipped), and closing from
any open status. Closed is final: a person who asks again is a new request, so the queue keeps
what happened to the first one. Registering the patient is allowed from any open status and
moves a request that is still new or contacted to evaluation scheduled.
"""

from __future__ import annotations

from ketacare.intake.models import OPEN_STATUSES, IntakeStatus

CLOSED_IS_FINAL = (
    "This request is closed, and a closed request is final: enter a new request if the person "
    "asks again."
)

_ORDER = (IntakeStatus.NEW, IntakeStatus.CONTACTED, IntakeStatus.EVALUATION_SCHEDULED)


def transition_refusal(current: str, target: str) -> str | None:
    """Why `current` may not move to `target` (one sentence), or None when it may."""
    if current == IntakeStatus.CLOSED:
        return CLOSED_IS_FINAL
    if target == current:
        return f"The request is already {IntakeStatus(current).label.lower()}."
    if target == IntakeStatus.CLOSED:
        return None
    if _ORDER.index(IntakeStatus(target)) < _ORDER.index(IntakeStatus(current)):
        return (
            f"A request only moves forward: it cannot go back from "
            f"{IntakeStatus(current).label.lower()} to {IntakeStatus(target).label.lower()}."
        )
    return None


def next_statuses(current: str) -> list[IntakeStatus]:
    """The statuses a request may move to from `current`, in queue order (closing last)."""
    return [s for s in IntakeStatus if transition_refusal(current, s) is None]


def status_after_registering(current: str) -> IntakeStatus:
    """Registering the patient means an evaluation is on its way: new and contacted move on."""
    if current in (IntakeStatus.NEW, IntakeStatus.CONTACTED):
        return IntakeStatus.EVALUATION_SCHEDULED
    return IntakeStatus(current)


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES
