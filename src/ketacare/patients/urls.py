from django.urls import path

from ketacare.patients import scale_views, views

app_name = "patients"

# Every path is spelled out: other apps add pages under /patients/<id>/ (eligibility, plans,
# sessions), so no pattern here may swallow theirs.
urlpatterns = [
    path("patients/new/", views.register, name="register"),
    path("patients/<int:patient_id>/", views.chart, name="chart"),
    path("patients/<int:patient_id>/edit/", views.edit, name="edit"),
    path("patients/<int:patient_id>/add/<slug:section>/", views.add_record, name="add"),
    path("patients/<int:patient_id>/scales/new/", scale_views.new_scale, name="new-scale"),
    path(
        "patients/<int:patient_id>/scales/<int:assessment_id>/",
        scale_views.scale_result,
        name="scale",
    ),
    path(
        "patients/<int:patient_id>/medications/<str:record_id>/stop/",
        views.record_action,
        {"action": "stop-medication"},
        name="stop-medication",
    ),
    path(
        "patients/<int:patient_id>/conditions/<str:record_id>/resolve/",
        views.record_action,
        {"action": "resolve-condition"},
        name="resolve-condition",
    ),
    path(
        "patients/<int:patient_id>/allergies/<str:record_id>/remove/",
        views.record_action,
        {"action": "remove-allergy"},
        name="remove-allergy",
    ),
    path(
        "patients/<int:patient_id>/consents/<str:record_id>/withdraw/",
        views.record_action,
        {"action": "withdraw-consent"},
        name="withdraw-consent",
    ),
    path(
        "patients/<int:patient_id>/notes/<int:note_id>/amend/",
        views.amend_note,
        name="amend-note",
    ),
]
