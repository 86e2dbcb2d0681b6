"""App configs that live with the project configuration."""

from django.contrib.admin.apps import AdminConfig


class KetaCareAdminConfig(AdminConfig):
    # The site module imports models, so it is named here and loaded once the registry is ready.
    default_site = "ketacare.config.admin.KetaCareAdminSite"
