"""The learn pages: anonymous, read-only text; nothing about the visitor is read or stored."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ketacare.public.learn_pages import LEARN_PAGES, PAGES_BY_SLUG, REVIEWED_ON


@require_safe
def learn_index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "public/learn_index.html", {"pages": LEARN_PAGES, "reviewed_on": REVIEWED_ON}
    )


@require_safe
def learn_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = PAGES_BY_SLUG.get(slug)
    if page is None:
        raise Http404("No such learn page.")
    position = LEARN_PAGES.index(page)
    context = {
        "page": page,
        "previous_page": LEARN_PAGES[position - 1] if position > 0 else None,
        "next_page": LEARN_PAGES[position + 1] if position + 1 < len(LEARN_PAGES) else None,
    }
    return render(request, page.template, context)
