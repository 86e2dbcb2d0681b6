from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatment", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="doseorder",
            name="alerts",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
