"""Measurement schedule, clinician worklist and outcome alerts."""

from django.urls import path

from ketacare.outcomes import views_alerts, views_schedule

urlpatterns = [
    path("outcomes/schedule/", views_schedule.schedule_page, name="schedule"),
    path("outcomes/worklist/", views_schedule.worklist, name="worklist"),
    path("outcomes/alerts/", views_alerts.alerts_page, name="alerts"),
    path("outcomes/alerts/count/", views_alerts.alert_count, name="alert-count"),
    path(
        "outcomes/alerts/patients/<int:patient_id>/banner/",
        views_alerts.alert_banner,
        name="alert-banner",
    ),
    path(
        "outcomes/alerts/<int:alert_id>/acknowledge/",
        views_alerts.acknowledge,
        name="alert-acknowledge",
    ),
]
