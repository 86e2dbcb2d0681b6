"""Which screening rules carry the esketamine label over to IV or oral ketamine by KetaCare policy.

The condition table of clinical-reference.md reads: "Label" = esketamine label; KetaCare applies
it to racemic ketamine by extension unless stated (2.3: "KetaCare applies items 1-3 to all
routes [D]"). A condition rule is a label rule when its basis is the label, i.e. the table's
basis starts with "Label". Of the eight rules before the table, three rest on the esketamine label
as well: ELIG-BP (the label's >140/90 guide, 2.8), ELIG-PREGNANCY and ELIG-BREASTFEEDING (label
"not recommended", 2.4). Where the table states a separate racemic grade (ELIG-HEPATIC-SEVERE,
"racemic [D]"), the racemic outcome is still KetaCare's design built on the label.
"""

from __future__ import annotations

from ketacare.clinical.catalog.eligibility import CONDITIONS, ROUTES

ESKETAMINE = "esketamine_nasal"

# The rules before the condition table whose basis is the esketamine label (reference 2.4, 2.8).
_CORE_LABEL_RULES: frozenset[str] = frozenset({"ELIG-BP", "ELIG-PREGNANCY", "ELIG-BREASTFEEDING"})

LABEL_RULES: frozenset[str] = _CORE_LABEL_RULES | frozenset(
    row.rule_id for row in CONDITIONS if row.basis.startswith("Label")
)
"""Every screening rule whose basis is the esketamine nasal spray label."""


def label_extension(rule_id: str, route: str) -> bool:
    """True when screening rule `rule_id` applies the esketamine label to `route` by extension.

    That is a label rule (`LABEL_RULES`: ELIG-BP, ELIG-PREGNANCY, ELIG-BREASTFEEDING and the
    condition rules whose basis is the label, such as ELIG-CI-ANEURYSM or ELIG-MAOI) screened for
    IV or oral ketamine, which the label does not cover: KetaCare's policy extends it (condition
    table, 2.3). For esketamine itself the label applies directly; any other rule id is False.
    An unknown route is a ValueError.
    """
    if route not in ROUTES:
        raise ValueError(f"Unknown route {route!r}.")
    return route != ESKETAMINE and rule_id in LABEL_RULES
