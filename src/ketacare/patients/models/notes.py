"""Care-team notes: signed when written; an amendment is a new signed version, never an edit."""

from __future__ import annotations

from django.db import models

from ketacare.patients.models.base import ChartRecord


class CareNote(ChartRecord):
    """One signed version of a note. `thread_id` is the pk of the first version; each amendment
    adds a row with `number` + 1 and `supersedes` the previous one. Rows are never updated."""

    thread_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    number = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    signed_at = models.DateTimeField()
    amendment_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["patient_id", "-signed_at", "-pk"]
