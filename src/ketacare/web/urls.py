from django.urls import path

from ketacare.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("clinic/switch/", views.switch, name="switch-clinic"),
]
