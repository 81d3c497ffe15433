"""The embedded default (SQLite) under parallel requests that write: a caseworker opening a
delivery loads all its evidence photos at once, and each read writes an access-log row.

The suite's SQLite test database lives in memory, where neither WAL nor the busy timeout
apply. This test copies it (migrated, with the test's data) to a file and serves ten
requests from ten threads, each with its own connection to that file made from the project's
own database settings: what ``config/settings/base.py`` gives SQLite is what is tested.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import evidence
from marketplace.delivery.services.reports import delivery_report
from privacy.models import SensitiveKind, SensitiveRead
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import NeedFactory

PARALLEL = 10

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="tests SQLite's locking (the embedded default); PostgreSQL locks rows, not the file",
    ),
    # Committed data, so that the copy to a file holds it; the migrations' regions are restored after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def on_file_db(path, work):
    """Run ``work()`` in a new thread whose ``default`` connection is to the SQLite file
    ``path``, with the project's settings for the database (options, atomic requests)."""
    settings_dict = {**connections["default"].settings_dict, "NAME": str(path)}
    wrapper = type(connections["default"])
    outcome = {}

    def run():
        connection = wrapper(settings_dict, "default")
        connections["default"] = connection
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.fixture
def delivery_with_ten_photos(monkeypatch):
    monkeypatch.setattr(evidence, "MAX_FILES", PARALLEL)  # the form allows fewer per report
    claim = ClaimFactory(need=NeedFactory(target_amount="800.00"))
    return delivery_report(
        claim=claim,
        actor=claim.claimant,
        amount="800.00",
        delivered_on=timezone.localdate(),
        description="送去药品和营养品。",
        files=[upload(f"photo{n}.png", png_bytes(noise=True), "image/png") for n in range(PARALLEL)],
    )


def test_ten_evidence_photos_opened_at_once_all_load_and_are_all_logged(delivery_with_ten_photos, tmp_path):
    caseworker = UserFactory(caseworker=True)  # Hongshan district, where the need is
    browser = Client()
    browser.force_login(caseworker)
    urls = [reverse("delivery:evidence", args=[e.pk]) for e in delivery_with_ten_photos.evidence.all()]
    assert len(urls) == PARALLEL
    assert not SensitiveRead.objects.exists()

    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as copy:
        connections["default"].connection.backup(copy)
    copy.close()

    start = threading.Barrier(PARALLEL)

    def open_evidence(url):
        def work():
            client = Client(raise_request_exception=False)
            client.cookies = browser.cookies
            start.wait()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            response.close()
            error = repr(response.exc_info[1]) if response.exc_info else None
            return response.status_code, body, error

        return work

    requests = [on_file_db(path, open_evidence(url)) for url in urls]
    for thread, _ in requests:
        thread.join(timeout=120)
    outcomes = [outcome for _, outcome in requests]
    assert [o.get("error") for o in outcomes] == [None] * PARALLEL
    statuses = [o["value"][0] for o in outcomes]
    assert statuses == [200] * PARALLEL, {o["value"][2] for o in outcomes}
    assert all(o["value"][1].startswith(b"\x89PNG") for o in outcomes)

    thread, logged = on_file_db(
        path,
        lambda: sorted(
            SensitiveRead.objects.filter(kind=SensitiveKind.EVIDENCE, user=caseworker).values_list(
                "path", flat=True
            )
        ),
    )
    thread.join(timeout=30)
    assert logged["value"] == sorted(urls)
