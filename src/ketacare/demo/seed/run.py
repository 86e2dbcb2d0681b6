"""One seed run: clinics and their staff, then every patient's chart, course and sessions, all in
one transaction, with one audit event for the whole job.

Seeding is a system job, not a person reading or writing charts: instead of an audit event per
row (millions), the run records one event (`object_type` "synthetic_data", the seed as its id,
the counts in its detail, channel CLI), the last statement of the transaction as every service
does. The staff it creates cannot sign in (unusable passwords).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from ketacare.audit.models import Action
from ketacare.audit.services import record_event
from ketacare.clinics.demo import FAMILY_NAMES, GIVEN_NAMES
from ketacare.clinics.geo import place_for_zip
from ketacare.clinics.models import Clinic, Membership, Role, Route
from ketacare.demo.seed.charts import percent
from ketacare.demo.seed.context import ClinicStaff, Run, RunSpec
from ketacare.demo.seed.work import (
    Loader,
    chunks_of,
    foreign_keys_off,
    foreign_keys_on,
    load,
)

SEED_OBJECT = "synthetic_data"
MAX_PATIENTS = 10_000_000
MAX_CLINICS = 1_000
MAX_MONTHS = 36
# [D] a clinic of a few chairs, open on weekdays (some on Saturdays too).
WEEKDAYS = (0, 1, 2, 3, 4)
WITH_SATURDAY = (0, 1, 2, 3, 4, 5)


class SeedError(Exception):
    """Bad arguments or a run that would collide with an earlier one: one sentence."""


@dataclass(frozen=True)
class SeedOptions:
    patients: int
    clinics: int = 1
    seed: int = 1
    today: dt.date | None = None
    months: int = 6

    def checked(self) -> SeedOptions:
        if not 0 <= self.patients <= MAX_PATIENTS:
            raise SeedError(f"--patients must be a whole number from 0 to {MAX_PATIENTS:,}.")
        if not 1 <= self.clinics <= MAX_CLINICS:
            raise SeedError(f"--clinics must be a whole number from 1 to {MAX_CLINICS}.")
        if self.seed < 0:
            raise SeedError("--seed must be a whole number, 0 or more.")
        if not 1 <= self.months <= MAX_MONTHS:
            raise SeedError(f"--months must be a whole number from 1 to {MAX_MONTHS}.")
        local_today = dt.datetime.now(tz=ZoneInfo(django_settings.TIME_ZONE)).date()
        if self.today is not None and self.today > local_today:
            raise SeedError("--today must not be after today: the seed charts only the past.")
        return self


@dataclass
class SeedReport:
    seed: int
    clinics: list[int]
    counts: dict[str, int]
    seconds: float
    history_rows: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values()) + self.history_rows + sum(self.extra.values())

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def clinic_name(seed: int, index: int) -> str:
    return f"Synthetic Clinic {seed}-{index}"


def _zip_code(run: Run, index: int) -> str:
    """A real US ZIP (offline `zipcodes` data), drawn from the seed."""
    rng = run.rng("zip", index)
    while True:
        candidate = f"{rng.randrange(1000, 99951):05d}"
        if place_for_zip(candidate) is not None:
            return candidate


def _create_clinic(run: Run, index: int, per_clinic: int) -> ClinicStaff:
    rng = run.rng("clinic", index)
    offers_esketamine = percent(rng, 85)
    clinic = Clinic(
        name=clinic_name(run.seed, index),
        address_line=f"{rng.randrange(1, 999)} {rng.choice(FAMILY_NAMES)} Avenue",
        zip_code=_zip_code(run, index),
        phone=f"555-01{rng.randrange(100):02d}",
        offers_iv_ketamine=True,
        offers_esketamine_nasal=offers_esketamine,
        offers_oral_ketamine=percent(rng, 25),
        accepting_new_patients=percent(rng, 85),
        esketamine_rems_certified=offers_esketamine,
    )
    clinic.save()  # fills the coordinates (and city, state) from the ZIP
    counts = {
        Role.CLINIC_ADMIN: 1,
        Role.PRESCRIBER: max(2, math.ceil(per_clinic / 1500)),
        Role.NURSE: max(4, min(60, math.ceil(per_clinic / 400))),
        Role.COORDINATOR: 2,
        Role.AUDITOR: 1,
    }
    user_model = get_user_model()
    users = []
    for role, count in counts.items():
        for number in range(1, count + 1):
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            username = f"syn{run.seed}-{index}-{role.replace('_', '')}{number}"
            users.append(
                (
                    role,
                    user_model(
                        username=username,
                        first_name=given,
                        last_name=family,
                        email=f"{username}@example.org",
                        password=make_password(None),  # cannot sign in
                    ),
                )
            )
    created = user_model.objects.bulk_create([user for _role, user in users])
    Membership.objects.bulk_create(
        [
            Membership(user=user, clinic=clinic, role=role)
            for (role, _), user in zip(users, created, strict=True)
        ]
    )
    by_role: dict[str, list[int]] = {}
    for (role, _), user in zip(users, created, strict=True):
        by_role.setdefault(role, []).append(user.pk)
    return ClinicStaff(
        id=clinic.pk,
        index=index,
        name=clinic.name,
        city=clinic.city,
        state=clinic.state,
        zip_code=clinic.zip_code,
        routes=tuple(r for r in Route.values if getattr(clinic, f"offers_{r}")),
        clinic_days=WITH_SATURDAY if percent(rng, 20) else WEEKDAYS,
        rems_certified=clinic.esketamine_rems_certified,
        chairs=rng.randrange(4, 11),
        prescribers=tuple(by_role[Role.PRESCRIBER]),
        nurses=tuple(by_role[Role.NURSE]),
        coordinators=tuple(by_role[Role.COORDINATOR]),
        admins=tuple(by_role[Role.CLINIC_ADMIN]),
    )


def existing_clinics(seed: int) -> list[str]:
    return list(
        Clinic.objects.filter(name__startswith=f"Synthetic Clinic {seed}-").values_list(
            "name", flat=True
        )
    )


def default_workers() -> int:
    """Worker processes for generation: the cores, on PostgreSQL (COPY takes the rows as fast
    as they come); none on SQLite, which writes from one process anyway."""
    if connection.vendor != "postgresql":
        return 0
    return max(1, min(8, os.cpu_count() or 1))


def run_seed(
    options: SeedOptions,
    *,
    workers: int | None = None,
    advance: Callable[[int], None] = lambda n: None,
) -> SeedReport:
    """Generate the synthetic clinics of `options` in one transaction; returns what was made.

    Refuses (SeedError) when clinics of this seed exist already: a seed adds its own clinics
    and nothing else, so a second run of the same seed would only duplicate them.
    """
    options = options.checked()
    tz_name = django_settings.TIME_ZONE
    tz = ZoneInfo(tz_name)
    today = options.today or dt.datetime.now(tz=tz).date()
    run = Run(seed=options.seed, today=today, months=options.months, tz=tz)
    spec = RunSpec(seed=options.seed, today=today, months=options.months, tz=tz_name)
    workers = default_workers() if workers is None else workers
    started = time.perf_counter()
    with transaction.atomic(durable=True):
        if existing_clinics(options.seed):
            raise SeedError(
                f"Clinics of seed {options.seed} exist already (Synthetic Clinic "
                f"{options.seed}-...): choose another --seed."
            )
        per_clinic = math.ceil(options.patients / options.clinics) if options.patients else 0
        clinics = [_create_clinic(run, k, per_clinic) for k in range(1, options.clinics + 1)]
        shares = [
            options.patients // options.clinics
            + (1 if clinic.index <= options.patients % options.clinics else 0)
            for clinic in clinics
        ]
        constraints = foreign_keys_off()
        loader = Loader()
        load(spec, chunks_of(clinics, shares), loader, workers=workers, advance=advance)
        foreign_keys_on(constraints)
        history = loader.copy_histories(dt.datetime.now(tz=dt.UTC))
        counts = {loader.tables[label].name: n for label, n in loader.counts.items()}
        report = SeedReport(
            seed=options.seed,
            clinics=[c.id for c in clinics],
            counts=counts,
            seconds=0.0,
            history_rows=history,
            extra={
                "clinics_clinic": len(clinics),
                "clinics_membership": Membership.objects.filter(
                    clinic_id__in=[c.id for c in clinics]
                ).count(),
            },
        )
        record_event(
            action=Action.CREATE,
            object_type=SEED_OBJECT,
            object_id=options.seed,
            detail=(
                f"seed={options.seed} today={today.isoformat()} months={options.months} "
                f"clinics={len(clinics)} patients={counts['patients_patient']} "
                f"plans={counts['treatment_treatmentplan']} "
                f"sessions={counts['treatment_treatmentsession']} "
                f"readings={counts['chair_reading']} alerts={counts['chair_sessionalert']} "
                f"side_effects={counts['chair_sideeffect']} rows={report.rows}"
            ),
        )
    report.seconds = time.perf_counter() - started
    return report
