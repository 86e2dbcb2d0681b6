"""JSON API of the intake app (contracts.md section 2), mounted under /api/v1/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["intake"])
