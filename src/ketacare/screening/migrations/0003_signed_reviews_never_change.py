"""The database itself refuses to change a signed eligibility review.

A correction is a new review that supersedes the old one, so UPDATE is never legitimate.
PostgreSQL: a row-level trigger rejects any UPDATE. SQLite: a trigger aborts any UPDATE. Both
raise an integrity error naming the table. DELETE stays to the foreign keys (PROTECT).

On SQLite, a later migration that rebuilds this table (most ALTERs do) drops the trigger with
the old table: such a migration must re-run `FORWARD["sqlite"]`; a test fails if the trigger is
missing after all migrations.
"""

from django.db import migrations

TABLE = "screening_eligibilityreview"

FORWARD = {
    "postgresql": [
        f"""
        CREATE FUNCTION {TABLE}_refuse_update() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{TABLE}: a signed review never changes; UPDATE refused'
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$
        """,
        f"""
        CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_update()
        """,
    ],
    "sqlite": [
        f"""
        CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{TABLE}: a signed review never changes; UPDATE refused'); END
        """,
    ],
}

REVERSE = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE}",
        f"DROP FUNCTION IF EXISTS {TABLE}_refuse_update()",
    ],
    "sqlite": [f"DROP TRIGGER IF EXISTS {TABLE}_no_update"],
}


def _execute(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def install_guard(apps, schema_editor):
    _execute(schema_editor, FORWARD)


def remove_guard(apps, schema_editor):
    _execute(schema_editor, REVERSE)


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_no_eligible_over_exclusion")]

    operations = [
        migrations.RunPython(install_guard, reverse_code=remove_guard, elidable=False),
    ]
