"""URL map: staff pages, accounts, audit, admin, API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("ketacare.accounts.urls")),
    path("admin/", admin.site.urls),
    path("audit/", include("ketacare.audit.urls")),
    path("api/", include("ketacare.api.urls")),
    path("", include("ketacare.web.urls")),
]
