"""The `make test` summary says whether the browser tests ran, were skipped or failed for want
of Chromium."""

from __future__ import annotations

from tools.run_tests import browser_outcome


def test_browser_tests_run_when_chromium_is_there(tmp_path) -> None:
    chromium = tmp_path / "chromium"
    chromium.touch()

    assert browser_outcome({"KETACARE_CHROMIUM": str(chromium)}) == f"run with {chromium}"


def test_browser_tests_are_reported_skipped_without_chromium(tmp_path) -> None:
    missing = tmp_path / "no-chromium"

    outcome = browser_outcome({"KETACARE_CHROMIUM": str(missing)})

    assert outcome == f"skipped (no {missing}; apt-get install chromium)"
    assert not outcome.startswith("FAILED")


def test_a_required_browser_that_is_missing_fails_the_summary(tmp_path) -> None:
    missing = tmp_path / "no-chromium"
    environ = {"KETACARE_CHROMIUM": str(missing), "KETACARE_REQUIRE_BROWSER": "1"}

    assert browser_outcome(environ).startswith("FAILED (no ")


def test_the_default_is_debians_chromium() -> None:
    outcome = browser_outcome({})

    assert "/usr/bin/chromium" in outcome
