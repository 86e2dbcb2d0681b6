"""The application's URLs plus the bench pages under /bench/ (bench only)."""

from bench.support import views
from django.urls import include, path

urlpatterns = [
    path("bench/ping", views.ping, name="bench-ping"),
    path(
        "bench/floor/<int:clinic_id>/<int:patient_id>/<int:session_id>/<int:user_id>/readings",
        views.floor_reading,
        name="bench-floor",
    ),
    path(
        "bench/audited-floor/<int:clinic_id>/<int:patient_id>/<int:session_id>/readings",
        views.audited_floor_reading,
        name="bench-audited-floor",
    ),
    path("bench/empty/", views.empty_page, name="bench-empty"),
    path("bench/layout/", views.layout_page, name="bench-layout"),
    path("", include("ketacare.config.urls")),
]
