from django.urls import path

from ketacare.clinics import views_listing
from ketacare.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.invite, name="invite"),
    path("clinic/listing/", views_listing.own_listing, name="own-clinic-listing"),
    path("clinic/<int:clinic_id>/listing/", views_listing.edit_listing, name="clinic-listing"),
    path("<int:membership_id>/", views.member, name="member"),
    path("<int:membership_id>/role/", views.change_role, name="change-role"),
    path("<int:membership_id>/active/", views.set_active, name="set-active"),
    path("<int:membership_id>/reset-authenticator/", views.reset, name="reset-authenticator"),
    path("<int:membership_id>/invitation/", views.reinvite, name="reinvite"),
    # "accept" before the token pattern: the page without a token in its address.
    path("invitations/accept/", views.accept, name="accept"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
