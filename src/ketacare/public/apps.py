from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "ketacare.public"
    label = "public"
    verbose_name = "Public pages"
