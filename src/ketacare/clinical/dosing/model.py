"""The nouns of dosing: routes, dose orders, shown arithmetic, alerts, results.

`parse_dose` reads the input document of contracts.md `ketacare dose` into an order; limits are
checked later, against the clinic's settings, by `compute_dose`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from ketacare.clinical.inputs import Fields, read_choice, read_int, read_number
from ketacare.clinical.rules import Number

AlertLevel = Literal["info", "warning", "critical"]


class Route(StrEnum):
    """The routes of contracts.md section 1."""

    IV_KETAMINE = "iv_ketamine"
    ESKETAMINE_NASAL = "esketamine_nasal"
    ORAL_KETAMINE = "oral_ketamine"


class EsketamineIndication(StrEnum):
    """The two US-label esketamine indications of reference 1.3."""

    TRD = "trd"
    MDSI = "mdsi"


@dataclass(frozen=True, slots=True)
class IvDoseOrder:
    """An IV racemic ketamine order: weight, dose per kg, infusion time, bag concentration."""

    weight_kg: float
    dose_mg_per_kg: float
    duration_min: float
    concentration_mg_per_ml: float


@dataclass(frozen=True, slots=True)
class EsketamineDoseOrder:
    """An esketamine nasal spray session dose in mg."""

    dose_mg: int


@dataclass(frozen=True, slots=True)
class OralDoseOrder:
    """An oral or sublingual ketamine session dose in mg."""

    dose_mg: float


DoseOrder = IvDoseOrder | EsketamineDoseOrder | OralDoseOrder


@dataclass(frozen=True, slots=True)
class DoseStep:
    """One line of shown arithmetic: `label`, `expression` and its `result`."""

    label: str
    expression: str
    result: str

    @property
    def text(self) -> str:
        return f"{self.expression} = {self.result}"


@dataclass(frozen=True, slots=True)
class DoseAlert:
    """A message about a dose, with the rule that raised it; `critical` means do not give."""

    rule: str
    level: AlertLevel
    message: str


@dataclass(frozen=True, slots=True)
class DoseResult:
    """The computed dose of one order; fields that do not apply to the route are None."""

    route: Route
    dose_mg: Number
    volume_ml: float | None = None
    rate_ml_per_h: float | None = None
    devices: int | None = None
    steps: tuple[DoseStep, ...] = ()
    alerts: tuple[DoseAlert, ...] = ()

    def as_document(self) -> dict[str, object]:
        """The output document of contracts.md `ketacare dose` (its keys only)."""
        document: dict[str, object] = {"route": self.route.value, "dose_mg": self.dose_mg}
        if self.route is Route.IV_KETAMINE:
            document["volume_ml"] = self.volume_ml
            document["rate_ml_per_h"] = self.rate_ml_per_h
        elif self.route is Route.ESKETAMINE_NASAL:
            document["devices"] = self.devices
        return document


def parse_dose(document: object) -> DoseOrder:
    """The dose order of a contract input document; types, required and unknown keys checked.

    Every IV key is required, although DOSE-IV-MGKG and DOSE-IV-DURATION have defaults: a dose
    order is explicit (the defaults are for forms to pre-fill). Limits are checked by
    `compute_dose`, against the clinic's settings.
    """
    doc = Fields(document)
    route = Route(doc.take("route", read_choice, choices=[r.value for r in Route]))
    order: DoseOrder
    if route is Route.IV_KETAMINE:
        order = IvDoseOrder(
            weight_kg=doc.take("weight_kg", read_number),
            dose_mg_per_kg=doc.take("dose_mg_per_kg", read_number),
            duration_min=doc.take("duration_min", read_number),
            concentration_mg_per_ml=doc.take("concentration_mg_per_ml", read_number),
        )
    elif route is Route.ESKETAMINE_NASAL:
        order = EsketamineDoseOrder(dose_mg=doc.take("dose_mg", read_int))
    else:
        value = doc.take("dose_mg", read_number)
        order = OralDoseOrder(dose_mg=value)
    doc.finish()
    return order
