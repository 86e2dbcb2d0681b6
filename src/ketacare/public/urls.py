"""The public side (no sign-in): learn pages, self-check, clinic finder, intake requests."""

from django.urls import include, path

app_name = "public"

urlpatterns = [
    path("", include("ketacare.public.urls_learn")),
    path("", include("ketacare.public.urls_finder")),
    path("", include("ketacare.public.urls_intake")),
]
