from django.contrib.auth import views as auth_views
from django.urls import path

from ketacare.accounts import password_reset, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("password/reset/", password_reset.ResetRequestView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        password_reset.ResetSentView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_reset.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        password_reset.ResetDoneView.as_view(),
        name="password_reset_complete",
    ),
]
