"""Settings for tests that must prove a number is read from `ClinicalSettings`."""

from __future__ import annotations

from ketacare.clinical.rules import ClinicalSettings, Number


class MovedSettings(ClinicalSettings):
    """The default settings with some values moved where no clinic can move them (fixed ones):
    a message that repeats the default instead of reading `settings` is caught."""

    def __init__(self, moved: dict[tuple[str, str], Number]) -> None:
        super().__init__()
        object.__setattr__(self, "moved", moved)

    def value(self, rule_id: str, name: str) -> Number:
        return self.moved.get((rule_id, name), super().value(rule_id, name))
