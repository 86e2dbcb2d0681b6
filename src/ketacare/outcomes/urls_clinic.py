"""The clinic outcomes page and its CSV."""

from django.urls import path

from ketacare.outcomes import views_clinic

urlpatterns = [
    path("outcomes/clinic/", views_clinic.clinic_page, name="clinic-outcomes"),
    path("outcomes/clinic.csv", views_clinic.clinic_csv, name="clinic-outcomes-csv"),
]
