"""`ketacare permissions --format markdown`: the role table (docs/permissions.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ketacare.clinics.models import Role
from ketacare.clinics.permissions import (
    DESCRIPTIONS,
    ROLE_PERMISSIONS,
    Permission,
    permissions_markdown,
)


class Command(BaseCommand):
    help = "Print the role table: which role may do what (JSON, or Markdown for docs/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "markdown"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "markdown":
            self.stdout.write(permissions_markdown(), ending="")
            return
        table = [
            {
                "permission": p.value,
                "description": DESCRIPTIONS[p],
                "roles": [r.value for r in Role if p in ROLE_PERMISSIONS[r]],
            }
            for p in Permission
        ]
        self.stdout.write(json.dumps(table, indent=2))
