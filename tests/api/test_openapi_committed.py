"""The committed docs/openapi.json is what the API generates (style guide, "API schemas")."""

from __future__ import annotations

import json
from pathlib import Path

from ketacare.api.site import api

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
REGENERATE = (
    "KETACARE_DEMO=1 .venv/bin/ketacare export_openapi_schema --api ketacare.api.site.api "
    "--output docs/openapi.json --indent 2 --sorted"
)


def test_committed_openapi_schema_is_current():
    generated = api.get_openapi_schema()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(generated)) == committed, f"Stale schema; run: {REGENERATE}"
