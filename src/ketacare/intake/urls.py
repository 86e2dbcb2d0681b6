from django.urls import path

from ketacare.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("<int:request_id>/status/", views.change_status, name="status"),
    path("<int:request_id>/register/", views.register, name="register"),
]
