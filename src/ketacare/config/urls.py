"""URL map: staff pages, accounts, audit, admin, API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("ketacare.accounts.urls")),
    path("admin/", admin.site.urls),
    path("audit/", include("ketacare.audit.urls")),
    path("api/", include("ketacare.api.urls")),
    path("staff/", include("ketacare.staff.urls")),
    path("intake/", include("ketacare.intake.urls")),
    # The chart, its eligibility review and its plans share the /patients/<id>/ prefix.
    path("", include("ketacare.patients.urls")),
    path("", include("ketacare.screening.urls")),
    path("", include("ketacare.treatment.urls")),
    path("", include("ketacare.chair.urls")),
    path("", include("ketacare.chair.rems_urls")),
    path("", include("ketacare.outcomes.urls")),
    path("", include("ketacare.public.urls")),
    path("", include("ketacare.web.urls")),
]
