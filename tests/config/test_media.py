"""Development media route (DEBUG): public uploads are served, private ones never, however the
path is spelled."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches

import config.urls

SECRET = b"certificate of a household's charity"
PUBLIC = b"a public picture"


@pytest.fixture
def debug_urls(settings):
    """config.urls as DEBUG builds it: the media route exists only then."""
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def media(settings, tmp_path):
    root = settings.MEDIA_ROOT
    (root / "private" / "evidence").mkdir(parents=True)
    (root / "private" / "evidence" / "secret.pdf").write_bytes(SECRET)
    (root / "images").mkdir()
    (root / "images" / "pic.jpg").write_bytes(PUBLIC)
    (tmp_path / "outside.txt").write_bytes(SECRET)  # beside MEDIA_ROOT, never below it
    return root


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/media/private/evidence/secret.pdf",
        "/media/./private/evidence/secret.pdf",
        "/media//private/evidence/secret.pdf",
        "/media///private/evidence/secret.pdf",
        "/media/x/../private/evidence/secret.pdf",
        "/media/images/../private/evidence/secret.pdf",
        "/media/x/%2e%2e/private/evidence/secret.pdf",
        "/media/%2e/private/evidence/secret.pdf",
        "/media/%2E%2E/media/private/evidence/secret.pdf",
        "/media/private%2fevidence/secret.pdf",
        "/media/x/%252e%252e/private/evidence/secret.pdf",
        "/media/x\\..\\private\\evidence\\secret.pdf",
        "/media/x%5c..%5cprivate%5cevidence%5csecret.pdf",
        "/media/Private/evidence/secret.pdf",
        "/media/x/../../outside.txt",
        "/media/%2e%2e/outside.txt",
    ],
)
def test_private_and_outside_files_are_never_served(client, debug_urls, media, url):
    response = client.get(url)
    assert response.status_code == 404
    assert SECRET not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/media/images/pic.jpg", "/media/images/./pic.jpg", "/media//images/pic.jpg"]
)
def test_public_media_are_served(client, debug_urls, media, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PUBLIC
