"""Dose limits and arithmetic of every route (reference 1.2-1.4; SAFE-IV-RATE, SAFE-ESK-DOSE).

IV arithmetic (DOSE-IV-CALC) is done on exact fractions of the numbers as written
(`Fraction(str(x))`, so 0.1 is one tenth, not the nearest float) and each output is rounded half
up to 0.1 from its own exact value: a nurse re-checking `70 kg x 0.5 mg/kg` never meets a float
surprise such as 52.49999. Volume and rate are computed from the exact dose, not the rounded one.
The result keeps the arithmetic as `steps` for the pump screen (SAFE-IV-RATE) and its `alerts`;
the CLI prints only the contract's keys.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from ketacare.clinical.dosing.model import (
    DoseAlert,
    DoseOrder,
    DoseResult,
    DoseStep,
    EsketamineDoseOrder,
    IvDoseOrder,
    OralDoseOrder,
    Route,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.inputs import describe, read_int, read_number
from ketacare.clinical.rules import DEFAULT_SETTINGS, ClinicalSettings, Number

_MINUTES_PER_HOUR = 60  # a unit conversion, not a medical number
_TIMES = "\N{MULTIPLICATION SIGN}"


def compute_dose(order: DoseOrder, settings: ClinicalSettings = DEFAULT_SETTINGS) -> DoseResult:
    """Check an order against its limits and compute it (SAFE-IV-RATE, SAFE-ESK-DOSE).

    IV: DOSE-IV-WEIGHT, DOSE-IV-MGKG, DOSE-IV-DURATION and DOSE-IV-CONC limits, DOSE-IV-CALC
    arithmetic, a DOSE-IV-MGKG warning above its warning threshold. Esketamine: DOSE-ESK-ALLOWED
    doses and its 28-mg info alert, DOSE-ESK-DEVICES. Oral: DOSE-ORAL-RANGE. A value outside its
    limits, or of the wrong type (a bool, a string, 84.0 for an esketamine dose), raises
    ClinicalInputError naming the field.
    """
    if isinstance(order, IvDoseOrder):
        return _iv_dose(order, settings)
    if isinstance(order, EsketamineDoseOrder):
        return _esketamine_dose(order, settings)
    if not isinstance(order, OralDoseOrder):
        raise ClinicalInputError(
            "input", f"input must be a dose order of one route; got {describe(order)}."
        )
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
    return DoseResult(
        route=Route.IV_KETAMINE,
        dose_mg=float(_rounded(dose_mg, places)),
        volume_ml=float(_rounded(volume_ml, places)),
        rate_ml_per_h=float(_rounded(rate, places)),
        steps=steps,
        alerts=_iv_alerts(per_kg, settings),
    )


def check_iv_order(
    *,
    dose_mg_per_kg: float,
    duration_min: float,
    concentration_mg_per_ml: float | None = None,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> tuple[DoseAlert, ...]:
    """Check an IV dose order before any weight is known (a plan's signed order).

    The limits of `compute_dose` for what the order holds: DOSE-IV-MGKG, DOSE-IV-DURATION and,
    when given, DOSE-IV-CONC (the weight, DOSE-IV-WEIGHT, is checked at the chair). A value
    outside its limits raises ClinicalInputError naming the field; the alerts are those
    `compute_dose` would raise (the DOSE-IV-MGKG warning above its warning threshold).
    """
    per_kg = _limited(
        "dose_mg_per_kg",
        dose_mg_per_kg,
        "DOSE-IV-MGKG",
        "minimum_mg_per_kg",
        "maximum_mg_per_kg",
        settings,
    )
    _limited(
        "duration_min", duration_min, "DOSE-IV-DURATION", "minimum_min", "maximum_min", settings
    )
    if concentration_mg_per_ml is not None:
        _limited(
            "concentration_mg_per_ml",
            concentration_mg_per_ml,
            "DOSE-IV-CONC",
            "minimum_mg_per_ml",
            "maximum_mg_per_ml",
            settings,
        )
    return _iv_alerts(per_kg, settings)


def _iv_alerts(per_kg: Fraction, settings: ClinicalSettings) -> tuple[DoseAlert, ...]:
    warn_above = _exact(settings.value("DOSE-IV-MGKG", "warn_above_mg_per_kg"))
    if per_kg <= warn_above:
        return ()
    return (
        DoseAlert(
            "DOSE-IV-MGKG",
            "warning",
            f"{_shown(per_kg)} mg/kg is above {_shown(warn_above)} mg/kg: effects "
            "and adverse effects are likely dose-dependent (ANDRADE-2017).",
        ),
    )


def _esketamine_dose(order: EsketamineDoseOrder, settings: ClinicalSettings) -> DoseResult:
    dose = read_int(order.dose_mg, "dose_mg")
    allowed = allowed_esketamine_doses_mg(settings)
    if dose not in allowed:
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
    read_number(value, field)
    # Compared as exact decimals, so a bound of 0.1 accepts the 0.1 the user typed.
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
