from django.apps import AppConfig


class ChairConfig(AppConfig):
    name = "ketacare.chair"
    label = "chair"
    verbose_name = "Sessions at the chair"
