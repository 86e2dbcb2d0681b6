"""The login page in a real browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_renders_a_labelled_form(page):
    page.goto("/accounts/login/")
    assert "Log in" in page.title()
    assert page.get_by_label("Username").is_visible()
    assert page.get_by_label("Password").is_visible()


def test_wrong_password_shows_one_generic_message(page, alice):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the right password at all")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    text = page.locator("main").inner_text()
    assert "correct username and password" in text.lower() or "did not match" in text.lower()
