"""The append-only, hash-chained audit trail of every access to patient data."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AuditTrailIsAppendOnly(Exception):
    """Raised on any attempt, through the ORM, to change or delete an audit event."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"The audit trail is append-only: {operation} is refused.")


class Action(models.TextChoices):
    CREATE = "create", "Create"
    READ = "read", "Read"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"
    LOGIN = "login", "Log in"
    LOGIN_FAILED = "login_failed", "Failed log-in"
    LOGOUT = "logout", "Log out"
    MFA_ENROLL = "mfa_enroll", "MFA enrolment"
    TOKEN_CREATE = "token_create", "API token created"
    TOKEN_REVOKE = "token_revoke", "API token revoked"


class Channel(models.TextChoices):
    WEB = "web", "Web page"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    CLI = "cli", "Command line"
    SYSTEM = "system", "System"


# The object type of the events that record a reading of the audit trail itself (report page,
# CSV export, admin), so the report shows who looked at it.
REPORT_OBJECT_TYPE = "audit_report"

# The object type of a read of a list of patients (home page, admin changelist). Its detail
# names the ids of the patients shown ("... ids=12,15,19"), so that the report filtered by a
# patient finds every list that showed them (ketacare.audit.queries).
PATIENT_LIST_OBJECT_TYPE = "patient_list"


def _refuse(operation: str) -> NoReturn:
    raise AuditTrailIsAppendOnly(operation)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads only: every bulk write path of Django's QuerySet is closed.

    New events enter through `ketacare.audit.services.record_event`, which chains them; a bulk
    insert would skip the chain, so it is refused as well.
    """

    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        _refuse("bulk update")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("bulk create (use record_event)")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update or create")

    def _raw_delete(self, using: Any) -> NoReturn:
        _refuse("delete")


class AuditEvent(models.Model):
    """One audited action. Rows are never updated or deleted.

    The app refuses it here (save of an existing row, delete, queryset update/delete) and the
    database refuses it too (triggers in migration 0002), so a bug cannot rewrite history and a
    hand edit breaks the hash chain (`ketacare audit verify`).

    Actor and subject are kept apart: `actor_*` says who acted, `clinic_id`/`patient_id`/
    `object_*` say on what. Ids are plain integers, not foreign keys, so deleting or renaming
    anything elsewhere can never cascade into (and break) the chain.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    clinic_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    allowed = models.BooleanField(default=True)
    detail = models.CharField(max_length=300, blank=True)
    # The chain the event belongs to (ketacare.audit.chain): the clinic's id, 0 for events
    # without a clinic, NULL for the legacy events written before chains per clinic.
    chain = models.BigIntegerField(null=True, blank=True)
    # Unique: two events can never chain onto the same predecessor, so even a writer that
    # bypassed the append lock could not fork a chain. Unique across all chains at once, since
    # every chain starts from its own genesis hash. (A database sharded by clinic would make
    # both (chain, previous_hash) and (chain, hash): the same guarantee, shard by shard.)
    previous_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = models.Manager.from_queryset(AuditEventQuerySet)()

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["clinic_id", "occurred_at"]),
            # A chain's newest event: what the next append to the chain chains onto. Partial:
            # the legacy events need no entry, so the index starts empty.
            models.Index(
                fields=["chain", "id"],
                name="audit_event_chain_idx",
                condition=models.Q(chain__isnull=False),
            ),
        ]
        # Nobody gets add/change/delete through the admin or any permission check.
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"audit event {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse("update")
        if not self.hash or not self.previous_hash:
            _refuse("an event outside the chain (use record_event)")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")
