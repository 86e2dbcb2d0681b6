from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader sits above every app: it fills each step of the patient path."""

    name = "ketacare.demo"
    label = "demo"
    verbose_name = "Demo data"
