# SAFE-ABS-EXCLUSION in the database: no review signed eligible over a not_eligible screen.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0001_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="eligibilityreview",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("decision", "eligible"), ("screen_decision", "not_eligible"), _negated=True
                ),
                name="eligibility_review_no_eligible_over_exclusion",
            ),
        ),
    ]
