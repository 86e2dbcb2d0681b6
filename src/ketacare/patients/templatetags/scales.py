"""`{{ flag|flag_title }}`: a rating scale's flag as people read it ("Suicidal ideation")."""

from __future__ import annotations

from django import template

from ketacare.patients.scale_views import FLAG_TITLES

register = template.Library()


@register.filter
def flag_title(name: str) -> str:
    return FLAG_TITLES.get(name, str(name).replace("_", " ").capitalize())
