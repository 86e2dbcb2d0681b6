"""Template context every page needs: demo banner, the acting role's permissions for the nav."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from ketacare.accounts.services import mfa_satisfied
from ketacare.clinics.permissions import ROLE_PERMISSIONS
from ketacare.clinics.tenancy import acting_membership


def _acting_role(request: HttpRequest) -> str | None:
    """The role the request acts with (None: no active membership, so no permission at all)."""
    membership = acting_membership(request)
    return membership.role if membership is not None and membership.is_active else None


@cache
def _granted_to(role: str | None) -> frozenset[str]:
    """A role's permissions by value (what `has_permission` answers for each)."""
    if role is None:
        return frozenset()
    return frozenset(p.value for p in ROLE_PERMISSIONS.get(role, frozenset()))


def _granted(request: HttpRequest) -> frozenset[str]:
    """The acting membership's permissions, so the nav links only to what the role may open."""
    return _granted_to(_acting_role(request))


# The nav's links depend only on the role, superuser or not, and where the URLs point: each
# combination is rendered once per process instead of a dozen {% url %} and {% if %} per page.
_NAV_LINKS: dict[tuple[str | None, bool, str, object], SafeString] = {}


def _nav_links(request: HttpRequest) -> SafeString:
    role = _acting_role(request)
    superuser = bool(getattr(getattr(request, "user", None), "is_superuser", False))
    key = (role, superuser, get_script_prefix(), get_urlconf())
    links = _NAV_LINKS.get(key)
    if links is None:
        rendered = render_to_string(
            "web/_nav_links.html", {"granted": _granted_to(role), "is_superuser": superuser}
        )
        # Our own template's output (no data in it), trimmed of the newlines around it.
        links = _NAV_LINKS[key] = mark_safe(rendered.strip("\n"))  # noqa: S308
    return links


def _fully_signed_in(request: HttpRequest) -> bool:
    """Past both sign-in steps: before that, pages (the code pages) show no menu."""
    if getattr(request, "user", None) is None or not hasattr(request, "session"):
        return False
    return mfa_satisfied(request)


def ketacare(request: HttpRequest) -> dict[str, Any]:
    return {
        "demo_mode": settings.DEMO_MODE,
        "signed_in": SimpleLazyObject(lambda: _fully_signed_in(request)),
        # Lazy: only pages that show the nav pay for it, once per request (cached in tenancy).
        "granted": SimpleLazyObject(lambda: _granted(request)),
        # A callable: the template calls it where the nav is shown, and only there.
        "nav_links": partial(_nav_links, request),
    }
