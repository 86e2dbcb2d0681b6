"""The one exception type of the clinical core.

Every invalid input raises `ClinicalInputError` with a dotted field path (`readings.2.systolic`)
and one sentence that names the field; callers (CLI, API, forms) turn it into exit 2 or a 4xx.
"""

from __future__ import annotations


class ClinicalInputError(Exception):
    """Invalid clinical input: `field` is a dotted path, `message` one sentence naming it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def as_document(self) -> dict[str, dict[str, str]]:
        """The error document of contracts.md section 1."""
        return {"error": {"field": self.field, "message": self.message}}

    def __str__(self) -> str:
        return self.message
