"""The self-check, the clinic finder and a clinic's public page."""

from django.urls import path

from ketacare.public import views_finder

urlpatterns = [
    path("self-check/", views_finder.self_check, name="self-check"),
    path("clinics/", views_finder.finder, name="finder"),
    path("clinics/<int:clinic_id>/", views_finder.clinic_detail, name="clinic"),
]
