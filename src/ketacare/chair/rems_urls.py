"""Pages of the REMS Patient Monitoring Forms: the forms due and each form's PDF."""

from django.urls import path  # noqa: F401

app_name = "rems"

urlpatterns: list = []
