"""Pages of the REMS Patient Monitoring Forms: the forms due and each form's page and PDF."""

from django.urls import path

from ketacare.chair import views_rems

app_name = "rems"

urlpatterns = [
    path("rems-forms/", views_rems.rems_forms, name="forms"),
    path("rems-forms/<int:form_id>/submitted/", views_rems.mark_submitted, name="mark-submitted"),
    path("sessions/<int:session_id>/rems-form/", views_rems.form_page, name="form"),
    path("sessions/<int:session_id>/rems-form.pdf", views_rems.form_pdf_download, name="form-pdf"),
]
