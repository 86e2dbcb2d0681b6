"""Rules of the dosing domain (see shared/clinical-reference.md)."""

from __future__ import annotations

from ketacare.clinical.rules import Rule

RULES: tuple[Rule, ...] = ()
