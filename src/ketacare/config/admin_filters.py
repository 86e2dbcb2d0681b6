"""Admin changelists that filter only by what the page offers, and never answer 500.

Every admin of the site gets `StrictChangelistMixin` (ketacare.config.admin.KetaCareAdminSite
adds it to the admins of other apps too: users, TOTP devices, django-axes).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.admin.exceptions import DisallowedModelAdminLookup, DisallowedModelAdminToField
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db import DatabaseError
from django.db.models import DateField
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)

NUL_REFUSED = "Null characters are not allowed in the address."
FILTER_REFUSED = "These list filters are not available; use the filters offered on the page."

#: the date hierarchy's parameters and their allowed ranges (datetime's, less the last year, so
#: that the end of the range, one year later, still exists).
_DATE_PARTS = {"year": (1, 9998), "month": (1, 12), "day": (1, 31)}


class StrictChangelistMixin:
    """A changelist that filters only by what the page offers, and never answers 500.

    Django's admin turns every query-string parameter of a changelist into a queryset lookup on
    the model's own fields: `?family_name__regex=(` (an error, or a catastrophic backtracking
    regex that ties up a worker), `?id__in=99999999999999999999`, `?date_of_birth__year=0`...
    Only the parameters of the declared `list_filter` and `date_hierarchy` are accepted (search
    is `?q=`, which Django handles apart); anything else, and any ValueError, OverflowError or
    database error while the list is built, is a 400 that names no parameter or value.
    """

    def allowed_filter_parameters(self, request: HttpRequest) -> set[str]:
        model = self.model  # type: ignore[attr-defined]
        allowed: set[str] = set()
        for entry in self.get_list_filter(request):  # type: ignore[attr-defined]
            if isinstance(entry, type) and issubclass(entry, SimpleListFilter):
                allowed.add(entry.parameter_name)
                continue
            name = entry[0] if isinstance(entry, (list, tuple)) else entry
            field = get_fields_from_path(model, name)[-1]
            allowed |= {name, f"{name}__exact", f"{name}__isnull"}
            if field.is_relation:
                allowed.add(f"{name}__{field.target_field.name}__exact")
            if isinstance(field, DateField):
                allowed |= {f"{name}__gte", f"{name}__lt"}
        return allowed

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        hierarchy = getattr(self, "date_hierarchy", None)
        if hierarchy and lookup.startswith(f"{hierarchy}__"):
            bounds = _DATE_PARTS.get(lookup.removeprefix(f"{hierarchy}__"))
            if bounds is None:
                return False
            text = str(value)
            return text.isascii() and text.isdigit() and bounds[0] <= int(text[:5]) <= bounds[1]
        if request is None or lookup not in self.allowed_filter_parameters(request):
            return False
        return super().lookup_allowed(lookup, value, request)  # type: ignore[misc]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Every GET value of the changelist may become a lookup (?q=, ?mrn=...), and PostgreSQL
        # refuses a NUL character in a query parameter: refuse it here, as a 400, not a 500.
        if any("\x00" in value for values in request.GET.lists() for value in values[1]):
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        try:
            response = super().changelist_view(request, extra_context)  # type: ignore[misc]
            if isinstance(response, TemplateResponse):
                response.render()  # errors of the lazy parts of the list surface here, not later
        except (
            DisallowedModelAdminLookup,
            DisallowedModelAdminToField,
            ValueError,
            OverflowError,
            DatabaseError,
        ) as error:
            # The parameter names and values may be typed text: only the error class is logged.
            logger.info(
                "admin list %s refused: %s",
                self.model._meta.label_lower,  # type: ignore[attr-defined]
                type(error).__name__,
            )
            return HttpResponseBadRequest(FILTER_REFUSED, content_type="text/plain; charset=utf-8")
        return response
