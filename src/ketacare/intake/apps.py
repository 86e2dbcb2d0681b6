from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ketacare.intake"
    label = "intake"
    verbose_name = "Intake queue"
