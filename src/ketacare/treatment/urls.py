"""Pages of plans and the schedule, mounted at the site root (the /patients/<id>/ prefix is
shared with the chart and the eligibility review)."""

from django.urls import path

from ketacare.treatment import views

app_name = "treatment"

urlpatterns = [
    path("patients/<int:patient_id>/plans/", views.patient_plans, name="patient-plans"),
    path("patients/<int:patient_id>/sessions/", views.patient_sessions, name="patient-sessions"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("sessions/<int:session_id>/move/", views.session_move, name="session-move"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="session-cancel"),
    path("today/", views.today, name="today"),
    path("calendar/", views.calendar, name="calendar"),
]
