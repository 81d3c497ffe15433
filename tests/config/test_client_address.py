"""The client's address, read through the configured number of trusted reverse proxies: the one
address login lock-out and the access log of sensitive reads use."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.http import client_address

PROXY = "10.0.0.2"


def request_from(remote_addr: str = PROXY, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "client"),
    [
        # No trusted proxy: the header is anyone's to write and is never read.
        (0, "198.51.100.20", None, "198.51.100.20"),
        (0, "198.51.100.20", "203.0.113.7", "198.51.100.20"),
        # One proxy appends the address it saw; what the client wrote before it is ignored.
        (1, PROXY, "203.0.113.7", "203.0.113.7"),
        (1, PROXY, "192.0.2.1, 203.0.113.7", "203.0.113.7"),
        (1, PROXY, " 2001:DB8::1 ", "2001:db8::1"),
        # Two proxies: the outer one's entry is the client, the inner one's is the outer proxy.
        (2, PROXY, "192.0.2.1, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        # Not through the whole chain, or garbage where the client's entry should be: the peer.
        (1, PROXY, None, PROXY),
        (2, PROXY, "203.0.113.7", PROXY),
        (1, PROXY, "unknown", PROXY),
        (0, "not-an-address", None, None),
    ],
)
def test_client_address(settings, proxies, remote_addr, forwarded_for, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from(remote_addr, forwarded_for)) == client


@pytest.mark.django_db
def test_the_access_log_records_the_client_behind_the_proxy(settings):
    from django.contrib.auth.models import AnonymousUser

    from privacy.access import record_read
    from privacy.models import SensitiveKind

    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from(PROXY, "192.0.2.1, 203.0.113.7")
    request.user = AnonymousUser()
    entry = record_read(request, kind=SensitiveKind.EVIDENCE, reference="evidence 1")
    assert entry.ip_address == "203.0.113.7"
