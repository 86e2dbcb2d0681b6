"""`{{ flag|flag_title }}`: a rating scale's flag as people read it ("Suicidal ideation")."""

from __future__ import annotations

from django import template

from ketacare.patients.scale_views import flag_title

register = template.Library()
register.filter("flag_title", flag_title)
