"""Intake requests from the public: the form of a clinic's page and its confirmation."""

from django.urls import path

from ketacare.public import views_intake

urlpatterns = [
    path("clinics/<int:clinic_id>/request/", views_intake.request_form, name="intake-request"),
    path("clinics/<int:clinic_id>/request/sent/", views_intake.request_sent, name="intake-sent"),
]
