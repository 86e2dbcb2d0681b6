"""Dose arithmetic, dose limits and esketamine label rules (clinical-reference.md 1.2-1.4, 8).

`parse_dose` reads the input document of contracts.md `ketacare dose`; `compute_dose` checks the
clinic's limits and does the arithmetic, keeping it as shown `steps` with `alerts`. The
esketamine label rules that plans and sessions use (SAFE-ESK-DOSE) are in `esketamine`.
A package, one module per concept: `model` (orders, results), `compute` (limits, arithmetic),
`esketamine` (first doses, population notes, twice-weekly maximum).
"""

from __future__ import annotations

from ketacare.clinical.dosing.compute import (
    allowed_esketamine_doses_mg,
    check_iv_order,
    compute_dose,
)
from ketacare.clinical.dosing.esketamine import (
    EsketamineDoseCheck,
    check_esketamine_dose,
    check_esketamine_frequency,
    esketamine_first_dose_mg,
    esketamine_population_notes,
)
from ketacare.clinical.dosing.model import (
    AlertLevel,
    DoseAlert,
    DoseOrder,
    DoseResult,
    DoseStep,
    EsketamineDoseOrder,
    EsketamineIndication,
    IvDoseOrder,
    OralDoseOrder,
    Route,
    parse_dose,
)

__all__ = [
    "AlertLevel",
    "DoseAlert",
    "DoseOrder",
    "DoseResult",
    "DoseStep",
    "EsketamineDoseCheck",
    "EsketamineDoseOrder",
    "EsketamineIndication",
    "IvDoseOrder",
    "OralDoseOrder",
    "Route",
    "allowed_esketamine_doses_mg",
    "check_esketamine_dose",
    "check_esketamine_frequency",
    "check_iv_order",
    "compute_dose",
    "esketamine_first_dose_mg",
    "esketamine_population_notes",
    "parse_dose",
]
