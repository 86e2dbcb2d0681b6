"""Pages of sessions at the chair and the nurse board."""

from django.urls import path

from ketacare.chair import views, views_actions, views_board

app_name = "chair"

urlpatterns = [
    path("board/", views_board.board, name="board"),
    path("sessions/<int:session_id>/", views.session_page, name="session"),
    path("sessions/<int:session_id>/pre-dose/", views_actions.pre_dose, name="pre-dose"),
    path("sessions/<int:session_id>/proceed/", views_actions.proceed, name="proceed"),
    path("sessions/<int:session_id>/dose/", views_actions.dose, name="dose"),
    path("sessions/<int:session_id>/count/", views_actions.count, name="count"),
    path("sessions/<int:session_id>/witness/", views_actions.witness, name="witness"),
    path("sessions/<int:session_id>/readings/", views_actions.reading, name="reading"),
    path("alerts/<int:alert_id>/acknowledge/", views_actions.acknowledge, name="acknowledge"),
    path("sessions/<int:session_id>/side-effects/", views_actions.side_effect, name="side-effect"),
    path("side-effects/<int:side_effect_id>/resolve/", views_actions.resolve, name="resolve"),
    path("sessions/<int:session_id>/discharge/", views_actions.discharge, name="discharge"),
    path("sessions/<int:session_id>/amendments/", views_actions.amend, name="amend"),
]
