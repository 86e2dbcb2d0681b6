"""Chains per clinic (chain format 2): the `chain` column and the index of each chain's events.

The events already written stay as they are: the new column is NULL for them, which is what marks
them as the legacy chain (format 1, one chain across all clinics) that `ketacare audit verify`
walks as before. Adding a nullable column without a default rewrites no row on either database
(SQLite: ALTER TABLE ADD COLUMN, so the table is not rebuilt and keeps its append-only triggers;
PostgreSQL: a catalogue change), and the partial index holds no legacy event, so the migration is
quick on a large trail.

Stop every application server before migrating (as for any upgrade): a server still running the
old code would append legacy events after the new ones.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("chain__isnull", False)),
                fields=["chain", "id"],
                name="audit_event_chain_idx",
            ),
        ),
    ]
