"""Template context every page needs: demo banner, the acting role's permissions for the nav."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ketacare.accounts.services import mfa_satisfied
from ketacare.clinics.permissions import Permission, has_permission
from ketacare.clinics.tenancy import acting_membership


def _granted(request: HttpRequest) -> frozenset[str]:
    """The acting membership's permissions, so the nav links only to what the role may open."""
    membership = acting_membership(request)
    return frozenset(p.value for p in Permission if has_permission(membership, p))


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
    }
