"""The spreadsheet import keeps its preview (issue 11 item 5): the caseworker uploads the file
once, confirms the preview by reference, and the file is kept only encrypted, only for them,
only until imported or expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from marketplace.needs.models import ImportPreview, Need
from marketplace.needs.tasks import purge_import_previews
from tests.factories.accounts import UserFactory
from tests.needs.test_spreadsheet import cells, record, upload, workbook

pytestmark = pytest.mark.django_db

URL = "/admin/import-needs/"


@pytest.fixture
def publish_at_once(settings):
    settings.K_ANONYMITY_K = 1


@pytest.fixture
def caseworker(client):
    user = UserFactory(caseworker=True)
    client.force_login(user)
    return user


def _reference(preview) -> str:
    return str(preview.context["confirm_form"]["reference"].value())


def test_the_preview_page_imports_without_choosing_the_file_again(client, caseworker, publish_at_once):
    rows = [cells(record(n)) for n in range(2)]
    preview = upload(client, workbook(rows), name="洪山区十二月.xlsx")
    page = preview.content.decode()
    assert 'type="file"' not in page  # nothing to choose again
    assert "洪山区十二月.xlsx" in page
    assert "30" in page  # how long it is kept

    response = client.post(URL, {"reference": _reference(preview)})
    assert not response.context["dry_run"]
    assert Need.objects.count() == 2
    assert not ImportPreview.objects.exists()  # deleted once imported


def test_the_kept_file_is_encrypted_and_holds_no_identity_in_clear(client, caseworker, publish_at_once):
    rows = [cells(record(n)) for n in range(2)]
    upload(client, workbook(rows))
    kept = bytes(ImportPreview.objects.get().encrypted)
    for row in rows:
        assert row["户主身份证号"].encode() not in kept
        assert row["户主姓名"].encode("utf-8") not in kept
    assert b"PK" not in kept[:4]  # not the xlsx (a zip) itself


def test_a_preview_is_confirmed_once(client, caseworker, publish_at_once):
    preview = upload(client, workbook([cells(record(1))]))
    reference = _reference(preview)
    client.post(URL, {"reference": reference})
    again = client.post(URL, {"reference": reference})
    assert "report" not in again.context
    assert "不再保留" in again.content.decode() or "重新上传" in again.content.decode()
    assert Need.objects.count() == 1


def test_another_caseworker_cannot_import_someone_elses_preview(client, caseworker, publish_at_once):
    preview = upload(client, workbook([cells(record(1))]))
    client.force_login(UserFactory(caseworker=True))
    response = client.post(URL, {"reference": _reference(preview)})
    assert "report" not in response.context
    assert not Need.objects.exists()
    assert ImportPreview.objects.count() == 1  # still the first caseworker's to confirm


def test_an_expired_preview_is_refused_and_purged(client, caseworker, publish_at_once, settings):
    settings.IMPORT_PREVIEW_MINUTES = 7
    preview = upload(client, workbook([cells(record(1))]))
    with time_machine.travel(timezone.now() + timedelta(minutes=8)):
        response = client.post(URL, {"reference": _reference(preview)})
        assert "report" not in response.context
        assert "7 分钟" in response.content.decode()
        assert not Need.objects.exists()
        assert purge_import_previews() == 1
    assert not ImportPreview.objects.exists()


def test_a_garbled_reference_is_answered_not_crashed(client, caseworker):
    response = client.post(URL, {"reference": "not-a-uuid"})
    assert response.status_code == 200
    assert "重新上传" in response.content.decode()


def test_a_preview_with_no_good_row_keeps_nothing(client, caseworker, publish_at_once):
    bad = cells(record(1))
    bad["救助类型"] = "太空旅行"
    preview = upload(client, workbook([bad]))
    assert "confirm_form" not in preview.context
    assert not ImportPreview.objects.exists()
