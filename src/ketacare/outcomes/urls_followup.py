"""The follow-up page and its "send now" action."""

from django.urls import path

from ketacare.outcomes import views_followup

urlpatterns = [
    path("outcomes/follow-up/", views_followup.followup, name="followup"),
    path(
        "outcomes/follow-up/<int:timepoint_id>/send/",
        views_followup.send_now,
        name="followup-send",
    ),
]
