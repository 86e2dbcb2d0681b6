"""Long-term results: one URL module per part, so each part's pages stay together."""

from django.urls import include, path

app_name = "outcomes"

urlpatterns = [
    path("", include("ketacare.outcomes.urls_schedule")),
    path("", include("ketacare.outcomes.urls_links")),
    path("", include("ketacare.outcomes.urls_followup")),
    path("", include("ketacare.outcomes.urls_trajectory")),
    path("", include("ketacare.outcomes.urls_clinic")),
]
