"""The demo clinics: synthetic people only, created idempotently (`ketacare demo`).

Running it again changes nothing: clinics are found by name, users by user name, patients by
MRN, and only what is missing is created (and audited, channel CLI).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from ketacare.accounts.services import mark_demo_user
from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.models import Clinic, Membership, Role, Route
from ketacare.clinics.services import create_clinic
from ketacare.patients.models import Patient

# Published on purpose (README, login page in demo mode): demo mode only, synthetic data only.
DEMO_PASSWORD = "try-ketacare-safely"  # noqa: S105
DEMO_SEED = 20_251_125

# Made-up given names and family names (tree and river names), combined by a fixed rule: no
# real person is meant, and the demo banner says the data is synthetic.
GIVEN_NAMES = (
    "Avery",
    "Blair",
    "Casey",
    "Dana",
    "Eden",
    "Finley",
    "Gray",
    "Harper",
    "Indigo",
    "Jules",
    "Kai",
    "Lane",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Sage",
    "Tatum",
    "Umber",
    "Vale",
    "Wren",
    "Xen",
    "Yael",
    "Zion",
)
FAMILY_NAMES = (
    "Alderbrook",
    "Birchwater",
    "Cedarfield",
    "Dunmoor",
    "Elmcrest",
    "Fernvale",
    "Glenrowan",
    "Hazelby",
    "Ivybridge",
    "Juniperton",
    "Larchmont",
    "Maplestead",
    "Oakhollow",
    "Pinecrest",
    "Quillfeather",
    "Rowanmere",
    "Sprucedale",
    "Thornbury",
    "Willowmere",
    "Yewfield",
)


@dataclass(frozen=True)
class DemoClinic:
    name: str
    address_line: str
    zip_code: str
    phone: str
    routes: tuple[str, ...]
    rems_certified: bool
    mrn_prefix: str
    patient_count: int
    staff: tuple[tuple[str, str], ...]  # (username, role)


DEMO_CLINICS = (
    DemoClinic(
        name="Maple Street Ketamine Clinic (demo)",
        address_line="100 Demo Way",
        zip_code="97205",  # Portland, OR
        phone="503-555-0100",
        routes=(Route.IV_KETAMINE, Route.ESKETAMINE_NASAL, Route.ORAL_KETAMINE),
        rems_certified=True,
        mrn_prefix="DEMO",
        patient_count=30,
        staff=(
            ("demo-admin", Role.CLINIC_ADMIN),
            ("demo-prescriber", Role.PRESCRIBER),
            ("demo-nurse", Role.NURSE),
            ("demo-coordinator", Role.COORDINATOR),
            ("demo-auditor", Role.AUDITOR),
        ),
    ),
    # A second, small clinic so that isolation between clinics can be shown.
    DemoClinic(
        name="Lakeside Mood Clinic (demo)",
        address_line="200 Example Avenue",
        zip_code="60611",  # Chicago, IL
        phone="312-555-0100",
        routes=(Route.IV_KETAMINE,),
        rems_certified=False,
        mrn_prefix="LAKE",
        patient_count=5,
        staff=(("demo-lakeside-admin", Role.CLINIC_ADMIN),),
    ),
)


@dataclass
class DemoResult:
    created: dict[str, int] = field(
        default_factory=lambda: {"clinic": 0, "user": 0, "membership": 0, "patient": 0}
    )
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, clinic)

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def load_demo_data() -> DemoResult:
    """Create whatever of the demo clinics is missing; returns what was created and the logins."""
    result = DemoResult()
    for spec in DEMO_CLINICS:
        clinic = Clinic.objects.filter(name=spec.name).first()
        if clinic is None:
            clinic = create_clinic(
                name=spec.name,
                address_line=spec.address_line,
                zip_code=spec.zip_code,
                phone=spec.phone,
                routes=spec.routes,
                esketamine_rems_certified=spec.rems_certified,
            )
            result.created["clinic"] += 1
        with transaction.atomic(durable=True):
            _load_staff(spec, clinic, result)
            _load_patients(spec, clinic, result)
    return result


def _load_staff(spec: DemoClinic, clinic: Clinic, result: DemoResult) -> None:
    user_model = get_user_model()
    for username, role in spec.staff:
        user = user_model._default_manager.filter(username=username).first()
        if user is None:
            user = user_model(username=username, email=f"{username}@example.org")
            user.set_password(DEMO_PASSWORD)
            user.save()
            result.created["user"] += 1
            record_event(
                action=Action.CREATE,
                clinic_id=clinic.pk,
                object_type="user",
                object_id=user.pk,
                detail="demo",
            )
        mark_demo_user(user)
        membership = Membership.objects.filter(user=user, clinic=clinic).first()
        if membership is None:
            membership = Membership.objects.create(user=user, clinic=clinic, role=role)
            result.created["membership"] += 1
            record_event(
                action=Action.CREATE,
                clinic_id=clinic.pk,
                object_type="membership",
                object_id=membership.pk,
                detail=f"role={role} demo",
            )
        result.logins.append((username, Role(membership.role).label, clinic.name))


def _load_patients(spec: DemoClinic, clinic: Clinic, result: DemoResult) -> None:
    existing = set(Patient.objects.filter(clinic=clinic).values_list("mrn", flat=True))
    # One generator per clinic from a fixed seed: the same people on every machine.
    rng = random.Random(f"{DEMO_SEED}-{spec.mrn_prefix}")  # noqa: S311 - synthetic data, not security
    for number in range(1, spec.patient_count + 1):
        given = GIVEN_NAMES[rng.randrange(len(GIVEN_NAMES))]
        family = FAMILY_NAMES[rng.randrange(len(FAMILY_NAMES))]
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 52))
        sex = rng.choice(("female", "male"))
        active = rng.random() > 0.1
        mrn = f"{spec.mrn_prefix}-{number:04d}"
        if mrn in existing:
            continue
        patient = Patient.objects.create(
            clinic=clinic,
            mrn=mrn,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            sex_at_birth=sex,
            email=f"{mrn.lower()}@example.org",
            phone=f"555-01{number % 100:02d}",
            is_active=active,
        )
        result.created["patient"] += 1
        record_event(
            action=Action.CREATE,
            clinic_id=clinic.pk,
            object_type="patient",
            object_id=patient.pk,
            patient_id=patient.pk,
            detail="demo",
        )
