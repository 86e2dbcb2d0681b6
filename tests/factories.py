"""factory-boy factories, one per model (style guide, "Tests")."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from ketacare.clinics.models import Clinic, Membership, Role
from ketacare.patients.models import Patient

TEST_PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    address_line = "1 Main Street"
    city = "Boston"
    state = "MA"
    zip_code = "02115"
    phone = "617-555-0100"
    offers_iv_ketamine = True
    offers_esketamine_nasal = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.NURSE


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker(
        "date_between", start_date=dt.date(1940, 1, 1), end_date=dt.date(2005, 1, 1)
    )
    sex_at_birth = "female"
