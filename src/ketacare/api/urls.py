from django.urls import path

from ketacare.api.site import api

urlpatterns = [path("", api.urls)]
