"""The nurse board page: every session in a chair at the clinic, on one screen.

    /board/     the page; an htmx request (its own polling every few seconds) gets the board
                fragment alone

The read is `ketacare.chair.board.read_board`, the same as `GET /api/v1/board`; each row is
written out as HTML, in words, by `ketacare.chair.presentation.board_card`.
"""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from ketacare.chair.board import BOARD, read_board
from ketacare.chair.presentation import READY_ONCE_ATTESTED, board_card
from ketacare.clinics.models import Membership
from ketacare.clinics.permissions import Permission
from ketacare.clinics.tenancy import membership_required

# How often the board asks for itself again (htmx `every`), in seconds.
BOARD_REFRESH_S = 15
# A stand-in id, replaced in the reversed URL: one reverse for the whole board, not one a card.
_ID_MARK = 987654321


@cache
def _icons() -> dict[str, str]:
    """The two icons the cards may show, drawn once (the same for every clinic and user)."""
    return {
        kind: render_to_string("chair/_icon.html", {"kind": kind})
        for kind in ("warning", "critical")
    }


@require_GET
@membership_required(Permission.VIEW_SESSION, object_type=BOARD)
def board(request: HttpRequest, *, membership: Membership) -> HttpResponse:
    now = timezone.now()
    rows, _count = read_board(membership, now=now)
    session_url = reverse("chair:session", args=[_ID_MARK])
    mark = str(_ID_MARK)
    icons = _icons()
    tz = timezone.get_current_timezone()
    cards = "".join(
        board_card(
            row,
            now=now,
            session_url=session_url.replace(mark, str(row.session_id)),
            icons=icons,
            ready_words=READY_ONCE_ATTESTED,
            tz=tz,
        )
        for row in rows
    )
    context = {
        "membership": membership,
        "now": now,
        "refresh_s": BOARD_REFRESH_S,
        "chairs": len(rows),
        # Written by `board_card`, every text from the chart escaped there.
        "cards": mark_safe(cards),  # noqa: S308
    }
    htmx = getattr(request, "htmx", None)
    template = (
        "chair/_board.html" if htmx and not htmx.history_restore_request else "chair/board.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
