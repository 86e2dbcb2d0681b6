"""The database moves a chain's head row to each new event of the chain, in the same statement.

An AFTER INSERT trigger on the event table sets the head row of the new event's chain to the new
event's hash (and creates the row if it is missing), so the head is right whatever inserted the
event, and it commits or rolls back with the event. Legacy events (chain NULL) have no head.

On SQLite, a later migration that rebuilds the event table drops this trigger with the old table
(as it would the append-only guard of 0002): such a migration must re-run `FORWARD["sqlite"]`;
a test fails if the trigger is missing after all migrations.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        """
        CREATE FUNCTION audit_auditevent_move_head() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE audit_auditchainhead SET hash = NEW.hash WHERE chain = NEW.chain;
            IF NOT FOUND THEN
                INSERT INTO audit_auditchainhead (chain, hash) VALUES (NEW.chain, NEW.hash);
            END IF;
            RETURN NULL;
        END;
        $$
        """,
        """
        CREATE TRIGGER audit_auditevent_chain_head
        AFTER INSERT ON audit_auditevent
        FOR EACH ROW WHEN (NEW.chain IS NOT NULL)
        EXECUTE FUNCTION audit_auditevent_move_head()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER audit_auditevent_chain_head AFTER INSERT ON audit_auditevent
        WHEN NEW.chain IS NOT NULL
        BEGIN
            INSERT INTO audit_auditchainhead (chain, hash) VALUES (NEW.chain, NEW.hash)
            ON CONFLICT (chain) DO UPDATE SET hash = excluded.hash;
        END
        """,
    ],
}

REVERSE = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_auditevent_chain_head ON audit_auditevent",
        "DROP FUNCTION IF EXISTS audit_auditevent_move_head()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_auditevent_chain_head"],
}


def _execute(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def install_trigger(apps, schema_editor):
    _execute(schema_editor, FORWARD)


def remove_trigger(apps, schema_editor):
    _execute(schema_editor, REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chains_per_clinic")]

    operations = [
        migrations.RunPython(install_trigger, reverse_code=remove_trigger, elidable=False),
    ]
