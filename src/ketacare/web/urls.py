from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from ketacare.web import views


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages that name no icon (the Django admin's).

    Temporary (302): the target is a content-hashed static name, which changes with the icon,
    and browsers keep a permanent redirect for good.
    """

    permanent = False

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("web/favicon.svg")  # resolved per request: the manifest exists by then


app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("clinic/switch/", views.switch, name="switch-clinic"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
]
