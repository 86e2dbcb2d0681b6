"""Exact bodies of the error responses deny-path tests compare against (style guide, "Tests")."""

from __future__ import annotations

from django.views.defaults import ERROR_PAGE_TEMPLATE

# Django's own 404 page (no 404.html template): it names nothing that was looked for.
NOT_FOUND_BODY = (
    ERROR_PAGE_TEMPLATE
    % {"title": "Not Found", "details": "The requested resource was not found on this server."}
).encode()


# Django's own 403 page (no 403.html template), for a PermissionDenied inside the admin.
FORBIDDEN_BODY = (ERROR_PAGE_TEMPLATE % {"title": "403 Forbidden", "details": ""}).encode()
