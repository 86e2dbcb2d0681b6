"""Patient links: the page a patient answers without signing in, and the chart's list of what
patients reported through them."""

from django.urls import path

from ketacare.outcomes import views_links, views_reports

urlpatterns = [
    path("r/<str:token>/", views_links.patient_link, name="patient-link"),
    path(
        "patients/<int:patient_id>/patient-reports/",
        views_reports.patient_reports,
        name="patient-reports",
    ),
    path(
        "patients/<int:patient_id>/patient-reports/<int:report_id>/review/",
        views_reports.review_report,
        name="review-patient-report",
    ),
]
