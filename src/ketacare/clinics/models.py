"""Clinics (the tenant) and the staff memberships that give access to one clinic's data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from ketacare.clinics.geo import place_for_zip


class Route(models.TextChoices):
    """Treatment routes; identifiers from contracts.md."""

    IV_KETAMINE = "iv_ketamine", "IV ketamine infusion"
    ESKETAMINE_NASAL = "esketamine_nasal", "Esketamine nasal spray"
    ORAL_KETAMINE = "oral_ketamine", "Oral ketamine"


class Role(models.TextChoices):
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    COORDINATOR = "coordinator", "Coordinator"
    AUDITOR = "auditor", "Auditor"


us_zip = RegexValidator(r"^\d{5}$", "Enter a 5-digit US ZIP code.")


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    address_line = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=5, validators=[us_zip])
    # Filled from the ZIP centroid (offline `zipcodes` data) so the directory can sort by distance.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(max_length=30)
    offers_iv_ketamine = models.BooleanField(default=False)
    offers_esketamine_nasal = models.BooleanField(default=False)
    offers_oral_ketamine = models.BooleanField(default=False)
    accepting_new_patients = models.BooleanField(default=True)
    esketamine_rems_certified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Also here, not only in clean(): a clinic saved without a form still gets its
        # coordinates, and an unknown ZIP never reaches the table.
        self.fill_from_zip()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "zip_code" in update_fields:
            kwargs["update_fields"] = {*update_fields, "latitude", "longitude"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.fill_from_zip()

    @property
    def routes(self) -> list[str]:
        return [r.value for r in Route if getattr(self, f"offers_{r.value}")]

    def fill_from_zip(self) -> None:
        """Latitude and longitude from the ZIP, and a blank city or state; an unknown ZIP is a
        ValidationError naming the field."""
        place = place_for_zip(self.zip_code)
        if place is None:
            raise ValidationError(
                {"zip_code": f"ZIP code {self.zip_code!r} is not a known 5-digit US ZIP code."},
                code="unknown_zip",
            )
        self.latitude = place.latitude
        self.longitude = place.longitude
        if not self.city:
            self.city = place.city
        if not self.state:
            self.state = place.state


class Membership(models.Model):
    """A staff user's role in one clinic; every access check starts from a membership."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="membership_user_clinic_unique")
        ]
        ordering = ["clinic_id", "pk"]

    def __str__(self) -> str:
        return f"membership {self.pk} ({self.role})"
