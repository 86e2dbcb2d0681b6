"""Dose arithmetic and dose limits of every route (clinical-reference.md 1.2-1.4, section 8).

`parse_dose` reads the contract's input document (contracts.md `ketacare dose`); `compute_dose`
checks the limits of the clinic's settings and does the arithmetic. IV arithmetic (DOSE-IV-CALC)
is done on exact fractions of the numbers as written (`Fraction(str(x))`, so 0.1 is one tenth,
not the nearest float) and each output is rounded half up to 0.1 from its exact value; a nurse
re-checking `70 kg x 0.5 mg/kg` never meets a float surprise such as 52.49999. The result keeps
the arithmetic as `steps` (for the pump screen, SAFE-IV-RATE) and `alerts`; the CLI prints only
the contract's keys. The esketamine label rules used by plans and sessions (SAFE-ESK-DOSE) are
here too: first doses, population notes, and the twice-weekly maximum.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import Fields, read_choice, read_int, read_number
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings, Number

AlertLevel = Literal["info", "warning", "critical"]
_MINUTES_PER_HOUR = 60  # a unit conversion, not a medical number
_TIMES = "\N{MULTIPLICATION SIGN}"


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

    def to_document(self) -> dict[str, object]:
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


def compute_dose(order: DoseOrder, settings: ClinicalSettings = DEFAULT_SETTINGS) -> DoseResult:
    """Check an order against its limits and compute it (SAFE-IV-RATE, SAFE-ESK-DOSE).

    IV: DOSE-IV-WEIGHT, DOSE-IV-MGKG, DOSE-IV-DURATION and DOSE-IV-CONC limits, DOSE-IV-CALC
    arithmetic, a DOSE-IV-MGKG warning above its warning threshold. Esketamine: DOSE-ESK-ALLOWED
    doses and its 28-mg info alert, DOSE-ESK-DEVICES. Oral: DOSE-ORAL-RANGE. A value outside its
    limits raises ClinicalInputError naming the field.
    """
    if isinstance(order, IvDoseOrder):
        return _iv_dose(order, settings)
    if isinstance(order, EsketamineDoseOrder):
        return _esketamine_dose(order, settings)
    _limited("dose_mg", order.dose_mg, "DOSE-ORAL-RANGE", "minimum_mg", "maximum_mg", settings)
    dose: Number = int(order.dose_mg) if float(order.dose_mg).is_integer() else order.dose_mg
    return DoseResult(route=Route.ORAL_KETAMINE, dose_mg=dose)


def _iv_dose(order: IvDoseOrder, settings: ClinicalSettings) -> DoseResult:
    weight = _limited(
        "weight_kg", order.weight_kg, "DOSE-IV-WEIGHT", "minimum_kg", "maximum_kg", settings
    )
    per_kg = _limited(
        "dose_mg_per_kg",
        order.dose_mg_per_kg,
        "DOSE-IV-MGKG",
        "minimum_mg_per_kg",
        "maximum_mg_per_kg",
        settings,
    )
    minutes = _limited(
        "duration_min",
        order.duration_min,
        "DOSE-IV-DURATION",
        "minimum_min",
        "maximum_min",
        settings,
    )
    concentration = _limited(
        "concentration_mg_per_ml",
        order.concentration_mg_per_ml,
        "DOSE-IV-CONC",
        "minimum_mg_per_ml",
        "maximum_mg_per_ml",
        settings,
    )
    places = int(settings.value("DOSE-IV-CALC", "decimal_places"))
    dose_mg = weight * per_kg
    volume_ml = dose_mg / concentration
    rate = volume_ml / (minutes / _MINUTES_PER_HOUR)
    steps = (
        DoseStep(
            "dose",
            f"{_shown(weight)} kg {_TIMES} {_shown(per_kg)} mg/kg",
            f"{_rounded(dose_mg, places)} mg",
        ),
        DoseStep(
            "volume",
            f"{_shown(dose_mg, 1)} mg ÷ {_shown(concentration)} mg/mL",
            f"{_rounded(volume_ml, places)} mL",
        ),
        DoseStep(
            "rate",
            f"{_shown(volume_ml, 1)} mL ÷ ({_shown(minutes)} min ÷ 60 min/h)",
            f"{_rounded(rate, places)} mL/h",
        ),
    )
    alerts: tuple[DoseAlert, ...] = ()
    warn_above = _exact(settings.value("DOSE-IV-MGKG", "warn_above_mg_per_kg"))
    if per_kg > warn_above:
        alerts = (
            DoseAlert(
                "DOSE-IV-MGKG",
                "warning",
                f"{_shown(per_kg)} mg/kg is above {_shown(warn_above)} mg/kg: effects "
                "and adverse effects are likely dose-dependent (ANDRADE-2017).",
            ),
        )
    return DoseResult(
        route=Route.IV_KETAMINE,
        dose_mg=float(_rounded(dose_mg, places)),
        volume_ml=float(_rounded(volume_ml, places)),
        rate_ml_per_h=float(_rounded(rate, places)),
        steps=steps,
        alerts=alerts,
    )


def _esketamine_dose(order: EsketamineDoseOrder, settings: ClinicalSettings) -> DoseResult:
    dose = order.dose_mg
    allowed = allowed_esketamine_doses_mg(settings)
    if isinstance(dose, bool) or dose not in allowed:
        listed = ", ".join(str(mg) for mg in allowed)
        raise ClinicalInputError(
            "dose_mg",
            f"dose_mg must be one of {listed} mg for esketamine (DOSE-ESK-ALLOWED); got {dose}.",
        )
    per_device = int(settings.value("DOSE-ESK-DEVICES", "mg_per_device"))
    devices = dose // per_device
    alerts: tuple[DoseAlert, ...] = ()
    if dose < settings.value("DOSE-ESK-ALLOWED", "info_below_mg"):
        alerts = (DoseAlert("DOSE-ESK-ALLOWED", "info", f"{dose} mg is not a US-label TRD dose."),)
    return DoseResult(
        route=Route.ESKETAMINE_NASAL,
        dose_mg=dose,
        devices=devices,
        steps=(DoseStep("devices", f"{dose} mg ÷ {per_device} mg per device", f"{devices}"),),
        alerts=alerts,
    )


def allowed_esketamine_doses_mg(settings: ClinicalSettings = DEFAULT_SETTINGS) -> tuple[int, ...]:
    """The valid esketamine session doses in mg, 28-mg steps up to 84 mg (DOSE-ESK-ALLOWED)."""
    low = int(settings.value("DOSE-ESK-ALLOWED", "minimum_mg"))
    high = int(settings.value("DOSE-ESK-ALLOWED", "maximum_mg"))
    step = int(settings.value("DOSE-ESK-ALLOWED", "step_mg"))
    return tuple(range(low, high + 1, step))


def _limited(
    field: str,
    value: float,
    rule_id: str,
    low_name: str,
    high_name: str,
    settings: ClinicalSettings,
) -> Fraction:
    # Compared as exact decimals, so a bound of 0.1 accepts the 0.1 the user typed.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ClinicalInputError(field, f"{field} must be a finite number.")
    exact = _exact(value)
    low = _exact(settings.value(rule_id, low_name))
    high = _exact(settings.value(rule_id, high_name))
    if not low <= exact <= high:
        raise ClinicalInputError(
            field,
            f"{field} must be from {_shown(low)} to {_shown(high)} ({rule_id}); "
            f"got {_shown(exact)}.",
        )
    return exact


def _exact(value: Number) -> Fraction:
    return Fraction(str(value))


def _rounded(value: Fraction, places: int) -> Decimal:
    # Half up on the exact value (all values here are positive), e.g. 52.45 -> 52.5.
    scale = 10**places
    units = math.floor(value * scale + Fraction(1, 2))
    return Decimal(units).scaleb(-places)


def _shown(value: Fraction, min_places: int = 0) -> str:
    """An exact value as written, with at least `min_places` decimals; "≈" if it does not end."""
    for places in range(min_places, 5):
        if (value * 10**places).denominator == 1:
            return f"{Decimal(value.numerator * 10**places // value.denominator).scaleb(-places)}"
    return f"≈{_rounded(value, 4)}"


def esketamine_first_dose_mg(
    indication: EsketamineIndication, settings: ClinicalSettings = DEFAULT_SETTINGS
) -> int:
    """The US-label dose of the first session: TRD 56 mg (DOSE-ESK-FIRST-TRD), MDSI 84 mg
    (DOSE-ESK-FIRST-MDSI)."""
    if indication is EsketamineIndication.TRD:
        return int(settings.value("DOSE-ESK-FIRST-TRD", "first_dose_mg"))
    return int(settings.value("DOSE-ESK-FIRST-MDSI", "dose_mg"))


@dataclass(frozen=True, slots=True)
class EsketamineDoseCheck:
    """Whether a session dose keeps to the label (`allowed`), and the alerts to show."""

    allowed: bool
    alerts: tuple[DoseAlert, ...]


def check_esketamine_dose(
    dose_mg: int,
    *,
    indication: EsketamineIndication,
    first_session: bool,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> EsketamineDoseCheck:
    """Check one esketamine session dose against the label rules of SAFE-ESK-DOSE.

    A dose outside DOSE-ESK-ALLOWED raises ClinicalInputError (field `dose_mg`). TRD: the first
    session must be DOSE-ESK-FIRST-TRD's 56 mg; a lower first dose (28 mg, the EU start for
    older adults) is allowed with an info alert, a higher one is not. MDSI: DOSE-ESK-FIRST-MDSI,
    84 mg with 56 mg allowed for tolerability; 28 mg is not a label MDSI dose and is refused
    (the conservative reading of SAFE-ESK-DOSE). 28 mg always carries DOSE-ESK-ALLOWED's info.
    """
    alerts = list(compute_dose(EsketamineDoseOrder(dose_mg), settings).alerts)
    allowed = True
    if indication is EsketamineIndication.TRD:
        first = int(settings.value("DOSE-ESK-FIRST-TRD", "first_dose_mg"))
        if first_session and dose_mg > first:
            allowed = False
            alerts.append(
                DoseAlert(
                    "DOSE-ESK-FIRST-TRD",
                    "critical",
                    f"The first TRD dose is {first} mg (US label); "
                    f"{dose_mg} mg is too high for session 1.",
                )
            )
        elif first_session and dose_mg < first:
            alerts.append(
                DoseAlert(
                    "DOSE-ESK-FIRST-TRD",
                    "info",
                    f"The US-label first TRD dose is {first} mg; {dose_mg} mg "
                    "is a lower start (see DOSE-ESK-ELDERLY-EU).",
                )
            )
    else:
        full = int(settings.value("DOSE-ESK-FIRST-MDSI", "dose_mg"))
        reduced = int(settings.value("DOSE-ESK-FIRST-MDSI", "reduced_dose_mg"))
        if dose_mg == reduced:
            alerts.append(
                DoseAlert(
                    "DOSE-ESK-FIRST-MDSI",
                    "info",
                    f"MDSI dosing is {full} mg; {reduced} mg is allowed for tolerability.",
                )
            )
        elif dose_mg != full:
            allowed = False
            alerts.append(
                DoseAlert(
                    "DOSE-ESK-FIRST-MDSI",
                    "critical",
                    f"MDSI dosing is {full} mg ({reduced} mg allowed for "
                    f"tolerability); {dose_mg} mg is not a label MDSI dose.",
                )
            )
    return EsketamineDoseCheck(allowed=allowed, alerts=tuple(alerts))


def esketamine_population_notes(
    *,
    age_years: int,
    japanese_ancestry: bool = False,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> tuple[DoseAlert, ...]:
    """Information for the prescriber about a lower esketamine start (never a block).

    DOSE-ESK-ELDERLY-EU: the EU/HK SmPC starts patients aged 65 or over at 28 mg.
    DOSE-ESK-ESCAPE: ESCAPE-TRD started ages 65-74 and adults of Japanese ancestry at 28 mg.
    """
    notes: list[DoseAlert] = []
    if age_years >= settings.value("DOSE-ESK-ELDERLY-EU", "age_at_least_years"):
        start = int(settings.value("DOSE-ESK-ELDERLY-EU", "starting_dose_mg"))
        notes.append(
            DoseAlert(
                "DOSE-ESK-ELDERLY-EU",
                "info",
                f"EU/HK SmPC: from age 65 start at {start} mg, then 28, 56 or "
                "84 mg (not in the US label as located).",
            )
        )
    in_escape_ages = (
        settings.value("DOSE-ESK-ESCAPE", "age_from_years")
        <= age_years
        <= settings.value("DOSE-ESK-ESCAPE", "age_to_years")
    )
    if in_escape_ages or japanese_ancestry:
        start = int(settings.value("DOSE-ESK-ESCAPE", "starting_dose_mg"))
        notes.append(
            DoseAlert(
                "DOSE-ESK-ESCAPE",
                "info",
                f"ESCAPE-TRD used a {start}-mg start for ages 65-74 and adults "
                "of Japanese ancestry.",
            )
        )
    return tuple(notes)


def check_esketamine_frequency(
    session_dates: Iterable[dt.date],
    proposed: dt.date,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> DoseAlert | None:
    """A critical alert if an esketamine session on `proposed` breaks DOSE-ESK-MAX-FREQUENCY.

    `session_dates` are the patient's other sessions (past or booked). The proposed session is
    refused when it shares a date with one of them, or when any 7 consecutive calendar days that
    contain it would hold more than 2 sessions (SAFE-ESK-DOSE); None when it is allowed.
    """
    most = int(settings.value("DOSE-ESK-MAX-FREQUENCY", "maximum_sessions"))
    window = int(settings.value("DOSE-ESK-MAX-FREQUENCY", "window_days"))
    others = sorted(session_dates)
    if proposed in others:
        return DoseAlert(
            "DOSE-ESK-MAX-FREQUENCY",
            "critical",
            f"An esketamine session is already booked on {proposed.isoformat()}.",
        )
    for offset in range(window):
        first = proposed - dt.timedelta(days=offset)
        last = first + dt.timedelta(days=window - 1)
        if sum(first <= day <= last for day in others) + 1 > most:
            return DoseAlert(
                "DOSE-ESK-MAX-FREQUENCY",
                "critical",
                f"At most {most} esketamine sessions in any {window} days; "
                f"{first.isoformat()} to {last.isoformat()} would hold more.",
            )
    return None
