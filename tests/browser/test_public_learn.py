"""The learn pages in a real browser, on a phone (390 x 844) and a desktop (1280 x 800): no
serious or critical axe-core violation, nothing wider than the screen, a skip link and a visible
focus ring, and the routes table read as one card per topic on the phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketacare.public.learn_pages import LEARN_PAGES
from tests.browser.conftest import axe_check

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
URLS = [
    "/",
    reverse("public:learn-index"),
    *(reverse("public:learn-page", args=[p.slug]) for p in LEARN_PAGES),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_learn_page_passes_axe_and_fits_the_screen(page, viewport):
    page.set_viewport_size(viewport)
    for url in URLS:
        page.goto(url)
        assert page.evaluate(OVERFLOW) <= 0, url
        axe_check(page)


def test_the_skip_link_comes_first_and_focus_is_visible(page):
    page.set_viewport_size(PHONE)
    page.goto(reverse("public:learn-index"))
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.inner_text() == "Skip to content"
    outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_the_routes_table_reflows_to_one_card_per_topic_on_a_phone(page):
    page.set_viewport_size(PHONE)
    page.goto(reverse("public:learn-page", args=["routes"]))
    rows = page.locator(".routes-table tbody tr")
    assert rows.count() == 6
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert first is not None and second is not None
    assert second["y"] >= first["y"] + first["height"]  # stacked, not side by side
    assert first["width"] <= PHONE["width"]
    label = page.locator(".routes-table tbody td").first.evaluate(
        "e => getComputedStyle(e, '::before').content"
    )
    assert label == '"IV ketamine drip"'
