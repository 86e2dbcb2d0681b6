"""The client's address: REMOTE_ADDR, or behind a trusted proxy the entry that proxy added."""

from __future__ import annotations

import pytest

from ketacare.web.client_ip import client_ip

PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    settings.SECURE_PROXY = True
    settings.KETACARE_PROXY_HOPS = 1
    return settings


def test_without_a_proxy_the_forwarded_header_is_ignored(rf, settings):
    settings.SECURE_PROXY = False
    request = rf.get("/", REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert client_ip(request) == "192.0.2.5"


def test_behind_one_proxy_the_right_most_entry_is_the_client(rf, behind_proxy):
    # The client sent "198.51.100.66" itself; the proxy appended the address it saw.
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.1")
    assert client_ip(request) == "203.0.113.1"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(rf, behind_proxy):
    behind_proxy.KETACARE_PROXY_HOPS = 2
    request = rf.get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.1, 10.0.0.1"
    )
    assert client_ip(request) == "203.0.113.1"


@pytest.mark.parametrize(
    "header",
    ["", "not-an-address", "203.0.113.1, garbage", " , "],
    ids=["missing", "garbage", "garbage-right-most", "empty-entries"],
)
def test_a_missing_or_malformed_header_falls_back_to_the_proxy_address(rf, behind_proxy, header):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == PROXY


def test_fewer_entries_than_hops_fall_back_to_the_proxy_address(rf, behind_proxy):
    behind_proxy.KETACARE_PROXY_HOPS = 3
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.1")
    assert client_ip(request) == PROXY


def test_an_ipv6_client_is_normalised(rf, behind_proxy):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="2001:DB8:0:0::1")
    assert client_ip(request) == "2001:db8::1"


def test_axes_locks_by_the_same_address(rf, behind_proxy):
    from axes.helpers import get_client_ip_address

    request = rf.post("/accounts/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert get_client_ip_address(request) == "203.0.113.1"
