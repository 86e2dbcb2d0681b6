"""Pages of sessions at the chair and the nurse board."""

from django.urls import path  # noqa: F401

app_name = "chair"

urlpatterns: list = []
