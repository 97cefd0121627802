"""The client's address behind reverse proxies (TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from accounts.views import client_ip as client_ip_from_views
from portal.http import client_ip

PROXY = "10.0.0.2"


def _request(forwarded_for: str | None = None, remote_addr: str = PROXY) -> HttpRequest:
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr)
    if forwarded_for is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return request


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_proxies_the_header_is_ignored() -> None:
    assert client_ip(_request("203.0.113.9")) == PROXY


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        # The client may write anything on the left; only our proxies' entries count.
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.7, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, " 203.0.113.9 ", "203.0.113.9"),
    ],
)
def test_the_address_is_taken_count_hops_from_the_right(
    count: int, forwarded_for: str, expected: str
) -> None:
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(_request(forwarded_for)) == expected


@pytest.mark.parametrize(
    "forwarded_for",
    [None, "", "203.0.113.9", "not-an-ip, 203.0.113.9", "203.0.113.9\r\nX: y, 10.0.0.1"],
)
@override_settings(TRUSTED_PROXY_COUNT=2)
def test_a_missing_short_or_invalid_header_falls_back_to_remote_addr(
    forwarded_for: str | None,
) -> None:
    assert client_ip(_request(forwarded_for)) == PROXY


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_value_that_is_not_an_address_is_never_returned() -> None:
    assert client_ip(_request("<script>", remote_addr="unix:socket")) is None
    assert client_ip(_request(None, remote_addr="")) is None


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_allauth_rate_limits_and_existing_callers_use_the_same_address() -> None:
    request = _request("198.51.100.7, 203.0.113.9")
    assert get_adapter().get_client_ip(request) == "203.0.113.9"
    assert client_ip_from_views(request) == "203.0.113.9"
    with pytest.raises(PermissionDenied):
        get_adapter().get_client_ip(_request("junk", remote_addr="junk"))
