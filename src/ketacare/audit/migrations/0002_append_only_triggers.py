"""The database itself refuses to change or delete an audit event.

PostgreSQL: one statement-level trigger rejects UPDATE, DELETE and TRUNCATE on the table (even
one that would touch no row). SQLite: two row-level triggers abort any UPDATE or DELETE (SQLite
has no TRUNCATE; its "DELETE without WHERE" shortcut is off while a DELETE trigger exists). Both
raise an integrity error naming the table.

On SQLite, a later migration that rebuilds this table (most ALTERs do) silently drops the
triggers with the old table: such a migration must re-run `FORWARD["sqlite"]`; a test fails if
the triggers are missing after all migrations.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        """
        CREATE FUNCTION audit_auditevent_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$
        """,
        """
        CREATE TRIGGER audit_auditevent_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_auditevent
        FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused'); END
        """,
        """
        CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused'); END
        """,
    ],
}

REVERSE = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
        "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
        "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    ],
}


def _execute(schema_editor, statements):
    # Other backends (none supported today) get no guard rather than a failed migration.
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def install_guard(apps, schema_editor):
    _execute(schema_editor, FORWARD)


def remove_guard(apps, schema_editor):
    _execute(schema_editor, REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(install_guard, reverse_code=remove_guard, elidable=False),
    ]
