"""Pages of a patient's trajectory, early-warning boosters and the progress report."""

from django.urls import path

from ketacare.outcomes import views_booster, views_report, views_trajectory

urlpatterns = [
    path(
        "patients/<int:patient_id>/outcomes/",
        views_trajectory.outcomes_page,
        name="patient-outcomes",
    ),
    path("patients/<int:patient_id>/booster/", views_booster.booster_page, name="booster"),
    path(
        "patients/<int:patient_id>/progress-report/",
        views_report.report_page,
        name="progress-report",
    ),
    path(
        "patients/<int:patient_id>/progress-report.pdf",
        views_report.report_pdf,
        name="progress-report-pdf",
    ),
]
