"""The page a patient opens from a link: no sign-in, phone first (contracts.md 2.4).

    GET  /r/<token>/   the scale's items (first name only), and "anything since your last session?"
    POST /r/<token>/   scored and stored once; the result in plain words, crisis resources first

An unknown, used or expired link gets one and the same page (410), with no hint which. Nothing
here is cached, indexed or sent on as a referrer (the token is in the address).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ketacare.clinical.instruments import get_instrument
from ketacare.outcomes import link_form
from ketacare.outcomes.links import usable_link
from ketacare.outcomes.models import AssessmentLink
from ketacare.outcomes.responses import (
    RATE_WINDOW_SECONDS,
    REPORT_MAX_LENGTH,
    LinkGone,
    SubmissionResult,
    TooManyRequests,
    check_rate,
    open_link,
    submit_answers,
)
from ketacare.web.client_ip import client_ip

# Plain words for the core's band labels (the labels themselves are the core's).
_BAND_WORDS = {"moderately_severe": "moderately severe", "very_severe": "very severe"}


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No cache, no referrer, no search index: the address holds the patient's token."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, private=True)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "outcomes/link/gone.html", status=410)


def _too_many(request: HttpRequest) -> HttpResponse:
    minutes = RATE_WINDOW_SECONDS // 60
    response = render(request, "outcomes/link/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(RATE_WINDOW_SECONDS)
    return response


def _form_page(
    request: HttpRequest,
    link: AssessmentLink,
    *,
    data: dict[str, str] | None = None,
    errors: dict[int, str] | None = None,
    other_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    definition = get_instrument(link.instrument)
    rows = link_form.item_rows(definition, data, errors)
    context = {
        "link": link,
        "first_name": link.patient.given_name,
        "definition": definition,
        "rows": rows,
        "errors": errors or {},
        "other_errors": other_errors or [],
        "yes_no": link_form.is_yes_no(definition),
        "side_effects_field": link_form.SIDE_EFFECTS_FIELD,
        "side_effects_text": (data or {}).get(link_form.SIDE_EFFECTS_FIELD, ""),
        "report_max_length": REPORT_MAX_LENGTH,
    }
    return render(request, "outcomes/link/form.html", context, status=status)


def score_words(result: SubmissionResult) -> str:
    """What the score means, in one plain sentence (no total: no sentence)."""
    if result.total is None:
        return ""
    sentence = f"Your answers add up to {result.total} out of {result.max}."
    if result.severity:
        band = _BAND_WORDS.get(result.severity, result.severity.replace("_", " "))
        sentence += f" On this questionnaire that is in the range called “{band}”."
    return sentence


# The token in the address is the only credential, and it is single-use: a forged cross-site
# POST would need the token itself. Exempt from CSRF so the page sets no cookie at all.
@csrf_exempt
@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def patient_link(request: HttpRequest, token: str) -> HttpResponse:
    client = client_ip(request)
    if request.method != "POST":
        try:
            opened = open_link(token, client=client)
        except TooManyRequests:
            return _too_many(request)
        except LinkGone:
            return _gone(request)
        return _form_page(request, opened)
    # Which scale the POST answers (under the opening's limit, so guessing is limited too);
    # submit_answers looks the link up again under its own.
    try:
        check_rate("open", client)
    except TooManyRequests:
        return _too_many(request)
    link = usable_link(token)
    if link is None:
        return _gone(request)
    definition = get_instrument(link.instrument)
    answers = link_form.read_answers(definition, request.POST)
    text = request.POST.get(link_form.SIDE_EFFECTS_FIELD) or None
    try:
        result = submit_answers(token, answers, text, client=client)
    except TooManyRequests:
        return _too_many(request)
    except LinkGone:
        return _gone(request)
    except ValidationError as error:
        by_item, other = link_form.item_errors(error.message_dict)
        return _form_page(
            request,
            link,
            data=request.POST.dict(),
            errors=by_item,
            other_errors=other,
            status=400,
        )
    context = {
        "result": result,
        "definition": definition,
        "score_words": score_words(result),
        "reported": bool(text) and link.asks_side_effects,
    }
    return render(request, "outcomes/link/thanks.html", context)
