"""Hand edits of the audit table, the way a DBA with the triggers dropped would make them."""

from __future__ import annotations

from ketacare.audit.chain import HASHED_FIELDS
from ketacare.audit.models import AuditEvent
from tests.audit.guard import guard_lifted, hand_edit

_ROW_COLUMNS = (*HASHED_FIELDS, "previous_hash", "hash")


def edit_column(pk: int, column: str, value: object) -> None:
    hand_edit(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def delete_row(pk: int) -> None:
    hand_edit("DELETE FROM audit_auditevent WHERE id = %s", [pk])


def _row(pk: int, columns: tuple[str, ...]) -> list[object]:
    return list(AuditEvent.objects.filter(pk=pk).values_list(*columns).get())


def swap_rows(a: int, b: int, *, with_hashes: bool = True) -> None:
    """Exchange two events' places: everything but the id (or only the content)."""
    columns = _ROW_COLUMNS if with_hashes else HASHED_FIELDS
    row_a, row_b = _row(a, columns), _row(b, columns)
    assignments = ", ".join(f"{name} = %s" for name in columns)
    with guard_lifted() as cursor:
        if with_hashes:
            # Park row a's unique hashes first, so the two rows never hold the same one.
            cursor.execute(
                "UPDATE audit_auditevent SET hash = %s, previous_hash = %s WHERE id = %s",
                ["parked-hash", "parked-previous", a],
            )
        cursor.execute(f"UPDATE audit_auditevent SET {assignments} WHERE id = %s", [*row_a, b])  # noqa: S608
        cursor.execute(f"UPDATE audit_auditevent SET {assignments} WHERE id = %s", [*row_b, a])  # noqa: S608
