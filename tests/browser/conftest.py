"""Playwright (Python) driving Debian's Chromium against the live test server.

Chromium is never downloaded: it is /usr/bin/chromium, installed by `.ci/run`. Without it the
browser tests skip, unless KETACARE_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


# One request at a time. On SQLite the tests' in-memory database is one connection that the live
# server's threads share; pages that load several htmx fragments at once (the chart's banner, the
# navigation's count) then interleave transactions on it, and a session save fails at random
# (400 SessionInterrupted). A single-threaded server answers each with `Connection: close`; the
# live server's thread has already taken the shared connection as its own.
class SerialWSGIServer(WSGIServer):
    def __init__(self, *args: object, connections_override: object = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


LiveServerThread.server_class = SerialWSGIServer

CHROMIUM = Path(os.environ.get("KETACARE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM
    calls in a thread with a running loop: allowed for the browser tests only, not the whole run.

    Package scope, so it is set before Playwright starts and lifted only after the last browser
    test's database teardown (the flush of the live-server tests) and Playwright's end.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


# Package scope: Chromium and Playwright's event loop end with the last browser test, so the
# tests that run after them in the same process see no event loop.
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("KETACARE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh tab on the live server; the test fails on any console error (CSP included)."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message: object) -> None:
        if message.type == "error":
            # The location names the failing resource, which the text alone does not.
            errors.append(f"{message.text} at {message.location.get('url', '?')}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    # A refused login answers 400 on purpose; the browser logs that as a failed resource.
    unexpected = [e for e in errors if "status of 400" not in e]
    assert not unexpected, f"browser console errors: {unexpected}"


@pytest.fixture
def sign_in(page):
    """Sign a membership's user in through the real pages: password, then the TOTP code."""
    from tests.accounts.helpers import code_for, confirmed_device
    from tests.factories import TEST_PASSWORD

    def sign_in_as(membership):
        device = confirmed_device(membership.user)
        page.goto("/accounts/login/")
        page.get_by_label("User name").fill(membership.user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Six-digit code from your authenticator app").fill(code_for(device))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()
        return page

    return sign_in_as


# --- accessibility: axe-core in the page ------------------------------------------------------
# axe-playwright-python ships axe-core (axe.min.js) and injects it with page.evaluate: nothing
# is fetched. Only serious and critical violations fail; the rest are axe's advice.
AXE_FAILING_IMPACTS = frozenset({"serious", "critical"})


def axe_check(page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation, and on
    any request the check itself makes (it must not reach outside the live server)."""
    from urllib.parse import urlsplit

    from axe_playwright_python.sync_playwright import Axe

    origin = urlsplit(page.url).netloc
    requests: list[str] = []

    def on_request(request) -> None:
        # The page's own late loads (its favicon) may land meanwhile; only another site counts.
        if urlsplit(request.url).netloc != origin:
            requests.append(request.url)

    page.on("request", on_request)
    try:
        results = Axe().run(page)
    finally:
        page.remove_listener("request", on_request)
    assert not requests, f"axe reached outside the live server: {requests}"
    failing = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in AXE_FAILING_IMPACTS
    ]
    assert not failing, f"axe on {page.url}:\n" + "\n".join(failing)


@pytest.fixture
def axe():
    """`axe(page)`: the accessibility check above, as a fixture for tests that prefer one."""
    return axe_check
