from django.urls import path

from ketacare.screening import views

app_name = "screening"

urlpatterns = [
    path("patients/<int:patient_id>/eligibility/", views.review, name="review"),
]
