"""A plan's dose order, checked by the clinical core (reference 1.2-1.4; SAFE-ESK-DOSE).

The order's fields depend on the protocol's route (contracts.md 2.2): IV `dose_mg_per_kg`,
`duration_min` and optionally `concentration_mg_per_ml`; esketamine and oral `dose_mg`. Every
limit is the clinical core's (`check_iv_order`, `check_esketamine_dose`, `compute_dose`); a value
outside one is a ValidationError naming `order.<field>`. The alerts of an allowed order (the IV
warning above DOSE-IV-MGKG's warning dose, the esketamine label notes) are kept for the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from ketacare.clinical.dosing import (
    DoseAlert,
    EsketamineIndication,
    OralDoseOrder,
    Route,
    check_esketamine_dose,
    check_iv_order,
    compute_dose,
    esketamine_population_notes,
)
from ketacare.clinical.errors import ClinicalInputError
from ketacare.clinical.protocols import Protocol
from ketacare.patients.models import Patient
from ketacare.patients.queries import age_on

ORDER = "order"

# The order fields of each route, and those an order of the route must hold.
FIELDS: Mapping[Route, tuple[str, ...]] = {
    Route.IV_KETAMINE: ("dose_mg_per_kg", "duration_min", "concentration_mg_per_ml"),
    Route.ESKETAMINE_NASAL: ("dose_mg",),
    Route.ORAL_KETAMINE: ("dose_mg",),
}
REQUIRED: Mapping[Route, tuple[str, ...]] = {
    Route.IV_KETAMINE: ("dose_mg_per_kg", "duration_min"),
    Route.ESKETAMINE_NASAL: ("dose_mg",),
    Route.ORAL_KETAMINE: ("dose_mg",),
}
ALL_FIELDS = ("dose_mg_per_kg", "duration_min", "concentration_mg_per_ml", "dose_mg")
# Decimal places the record keeps (DoseOrder's columns); more would be silently rounded.
DECIMAL_PLACES = {"dose_mg_per_kg": 2, "concentration_mg_per_ml": 2}

# The label indication each esketamine protocol doses by (reference 1.3 and 1.6): the protocol
# data names its label row, not the indication, so the pairing is written down here.
ESKETAMINE_INDICATIONS: Mapping[str, EsketamineIndication] = {
    "esketamine_trd_label": EsketamineIndication.TRD,
    "esketamine_mdsi_label": EsketamineIndication.MDSI,
}


@dataclass(frozen=True, slots=True)
class CheckedOrder:
    """An order the clinical core accepted, in the record's types, with its alerts."""

    dose_mg_per_kg: Decimal | None = None
    duration_min: int | None = None
    concentration_mg_per_ml: Decimal | None = None
    dose_mg: int | None = None
    alerts: tuple[DoseAlert, ...] = ()


def indication_of(protocol: Protocol) -> EsketamineIndication:
    """The esketamine label indication of `protocol` (TRD unless it is the MDSI protocol)."""
    return ESKETAMINE_INDICATIONS.get(protocol.id, EsketamineIndication.TRD)


def check_order(
    protocol: Protocol,
    order: Mapping[str, object],
    *,
    first_session: bool,
    patient: Patient,
    today: dt.date,
) -> CheckedOrder:
    """The order checked against the route's limits and label rules, or a ValidationError.

    `first_session`: whether the order will dose the course's first session (DOSE-ESK-FIRST-TRD:
    56 mg at session 1). Fields of another route, missing fields and values of the wrong type are
    refused naming `order.<field>` as well.
    """
    route = protocol.route
    given = {name: value for name, value in order.items() if value is not None}
    for name in given:
        if name not in FIELDS[route]:
            raise _invalid(name, f"{name} is not part of a {route.value} order.")
    for name in REQUIRED[route]:
        if name not in given:
            raise _invalid(name, f"A {route.value} order needs {name}.")
    if route is Route.IV_KETAMINE:
        return _iv(given)
    dose_mg = _whole(given["dose_mg"], "dose_mg")
    if route is Route.ESKETAMINE_NASAL:
        return _esketamine(protocol, dose_mg, first_session, patient, today)
    try:
        alerts = compute_dose(OralDoseOrder(dose_mg)).alerts
    except ClinicalInputError as error:
        raise _invalid(error.field, error.message) from None
    return CheckedOrder(dose_mg=dose_mg, alerts=alerts)


def _iv(given: Mapping[str, object]) -> CheckedOrder:
    per_kg = _decimal(given["dose_mg_per_kg"], "dose_mg_per_kg")
    minutes = _whole(given["duration_min"], "duration_min")
    raw_concentration = given.get("concentration_mg_per_ml")
    concentration = (
        None
        if raw_concentration is None
        else _decimal(raw_concentration, "concentration_mg_per_ml")
    )
    try:
        alerts = check_iv_order(
            dose_mg_per_kg=float(per_kg),
            duration_min=minutes,
            concentration_mg_per_ml=None if concentration is None else float(concentration),
        )
    except ClinicalInputError as error:
        raise _invalid(error.field, error.message) from None
    return CheckedOrder(
        dose_mg_per_kg=per_kg,
        duration_min=minutes,
        concentration_mg_per_ml=concentration,
        alerts=alerts,
    )


def _esketamine(
    protocol: Protocol, dose_mg: int, first_session: bool, patient: Patient, today: dt.date
) -> CheckedOrder:
    try:
        check = check_esketamine_dose(
            dose_mg, indication=indication_of(protocol), first_session=first_session
        )
    except ClinicalInputError as error:
        raise _invalid(error.field, error.message) from None
    refused = [alert for alert in check.alerts if alert.level == "critical"]
    if not check.allowed:
        raise _invalid("dose_mg", " ".join(f"{a.rule}: {a.message}" for a in refused))
    notes = esketamine_population_notes(age_years=age_on(patient.date_of_birth, today))
    return CheckedOrder(dose_mg=dose_mg, alerts=(*check.alerts, *notes))


def _decimal(value: object, name: str) -> Decimal:
    number = _decimal_or_none(value)
    if number is None:
        raise _invalid(name, f"{name} must be a number.")
    exponent = number.normalize().as_tuple().exponent
    places = DECIMAL_PLACES[name]
    if isinstance(exponent, int) and -exponent > places:
        raise _invalid(name, f"{name} takes at most {places} decimal places.")
    return number


def _whole(value: object, name: str) -> int:
    number = _decimal_or_none(value)
    if number is None or number != number.to_integral_value():
        raise _invalid(name, f"{name} must be a whole number.")
    return int(number)


def _decimal_or_none(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError({f"{ORDER}.{name}": message}, code="invalid_order")


def alert_documents(alerts: tuple[DoseAlert, ...]) -> list[dict[str, str]]:
    """Alerts as JSON-ready documents (`rule`, `level`, `message`)."""
    return [{"rule": a.rule, "level": a.level, "message": a.message} for a in alerts]
