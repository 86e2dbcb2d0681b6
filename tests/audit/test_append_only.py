"""Events can be added, never changed or deleted: by the app, and by the database itself."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from ketacare.audit.admin import AuditEventAdmin
from ketacare.audit.models import Action, AuditEvent, AuditTrailIsAppendOnly
from ketacare.audit.services import record_event
from tests.audit.guard import guard_lifted

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")


@pytest.fixture
def event():
    return record_event(action=Action.READ, object_type="patient", object_id=1, patient_id=1)


def _refused(message: str):
    return pytest.raises(AuditTrailIsAppendOnly, match=f"append-only: {message}")


def test_saving_an_existing_event_again_is_refused(event):
    event.detail = "changed"
    with _refused("update"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_saving_a_loaded_event_with_update_fields_is_refused(event):
    loaded = AuditEvent.objects.get(pk=event.pk)
    with _refused("update"):
        loaded.save(update_fields=["detail"])


def test_deleting_an_event_is_refused(event):
    with _refused("delete"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda qs, e: qs.update(detail="x"), "update"),
        (lambda qs, e: qs.delete(), "delete"),
        (lambda qs, e: qs.bulk_update([e], ["detail"]), "bulk update"),
        (lambda qs, e: qs.bulk_create([AuditEvent(action="read")]), "bulk create"),
        (lambda qs, e: qs.update_or_create(pk=e.pk, defaults={"detail": "x"}), "update or create"),
        (lambda qs, e: qs.filter(pk=e.pk)._raw_delete(qs.db), "delete"),
    ],
    ids=["update", "delete", "bulk_update", "bulk_create", "update_or_create", "raw_delete"],
)
def test_every_queryset_write_is_refused(event, operation, message):
    with _refused(message):
        operation(AuditEvent.objects.all(), event)
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash


def test_an_event_built_outside_record_event_is_refused():
    with _refused("an event outside the chain"):
        AuditEvent(action=Action.READ).save()
    assert AuditEvent.objects.count() == 0


def test_the_database_refuses_an_update(event):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("UPDATE audit_auditevent SET detail = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_the_database_refuses_a_delete(event):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_a_delete_of_every_row(event):
    with pytest.raises(IntegrityError, match="append-only"):
        _raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


@postgresql_only
def test_postgresql_refuses_truncate(event):
    with pytest.raises(IntegrityError, match="append-only: TRUNCATE refused"):
        _raw("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


@postgresql_only
def test_postgresql_refuses_even_an_update_that_matches_no_row(event):
    with pytest.raises(IntegrityError, match="append-only: UPDATE refused"):
        _raw("UPDATE audit_auditevent SET detail = 'x' WHERE id = -1")


def _raw(sql: str, params: list[object] | None = None) -> None:
    """One statement straight to the database, in a savepoint the refusal can roll back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _guard_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
        return {name for (name,) in cursor.fetchall()}


def test_the_guard_triggers_exist_after_all_migrations():
    # On SQLite a later migration that rebuilds the table would drop them silently.
    expected = (
        {"audit_auditevent_append_only"}
        if connection.vendor == "postgresql"
        else {"audit_auditevent_no_update", "audit_auditevent_no_delete"}
    )
    assert _guard_triggers() == expected


def test_the_migration_reverse_lifts_the_guard_and_the_forward_restores_it(event):
    with guard_lifted() as cursor:
        assert _guard_triggers() == set()
        cursor.execute("UPDATE audit_auditevent SET detail = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == "x"
    with pytest.raises(IntegrityError):
        _raw("UPDATE audit_auditevent SET detail = 'y' WHERE id = %s", [event.pk])


def test_the_admin_grants_no_add_change_or_delete_even_to_a_superuser(rf, admin_user, event):
    from django.contrib import admin

    model_admin = AuditEventAdmin(AuditEvent, admin.site)
    request = rf.get("/admin/audit/auditevent/")
    request.user = admin_user
    assert model_admin.has_view_permission(request, event) is True
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, event) is False
    assert model_admin.has_delete_permission(request, event) is False
    assert model_admin.get_actions(request) == {}


def test_no_model_permission_other_than_view_exists():
    from django.contrib.auth.models import Permission

    codenames = set(
        Permission.objects.filter(content_type__app_label="audit").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_auditevent"}
