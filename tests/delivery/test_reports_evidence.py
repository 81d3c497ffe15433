"""Evidence through the delivery service: what a report stores of its files, and what it refuses.

The check itself (by content, never by name) is tested in ``tests/core/test_evidence.py``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from marketplace.delivery.models import Delivery, Evidence
from marketplace.delivery.services.reports import delivery_report
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import jpeg_with_exif, pdf_bytes, png_bytes, upload, zip_bytes
from tests.factories.needs import NeedFactory

# --- through the delivery service ----------------------------------------------------------------


@pytest.fixture
def claim(db):
    return ClaimFactory(need=NeedFactory(target_amount="800.00"))


def report(claim, files, **overrides):
    values = {
        "claim": claim,
        "actor": claim.claimant,
        "amount": "800.00",
        "delivered_on": timezone.localdate(),
        "description": "送去药品和营养品。",
        "files": files,
    }
    values.update(overrides)
    return delivery_report(**values)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("photo.jpg", b"hello, I am text", "image/jpeg"),
        ("receipt.pdf", b"<html><body onload=alert(1)>receipt</body></html>", "application/pdf"),
        ("photo.jpg", zip_bytes(), "image/jpeg"),
    ],
    ids=["text-as-jpg", "html-as-pdf", "zip-as-jpg"],
)
def test_a_forged_extension_is_refused_and_nothing_is_stored(claim, name, data, content_type):
    with pytest.raises(ValidationError) as refused:
        report(claim, [upload(name, data, content_type)])
    assert [error.code for error in refused.value.error_dict["files"]] == ["unsupported_type"]
    assert not Delivery.objects.exists()
    assert not Evidence.objects.exists()


def test_a_stored_photo_has_no_exif_a_random_private_name_and_its_sha256(claim, settings):
    delivery = report(claim, [upload("张三家门口_GPS.jpg", jpeg_with_exif(), "image/jpeg")])
    [evidence] = delivery.evidence.all()
    assert evidence.file.name.startswith("private/evidence/")
    assert evidence.file.name.endswith(".jpg")
    assert "张三" not in evidence.file.name
    stored = evidence.file.read()
    evidence.file.close()
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.size == len(stored)
    assert evidence.content_type == "image/jpeg"
    with Image.open(evidence.file.path) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"Exif" not in stored
    assert str(settings.MEDIA_ROOT) in evidence.file.path


def test_the_claimed_content_type_and_name_are_ignored(claim):
    delivery = report(claim, [upload("scan.pdf", png_bytes(), "application/pdf")])
    [evidence] = delivery.evidence.all()
    assert evidence.content_type == "image/png"
    assert evidence.extension == "png"


def test_a_pdf_is_stored(claim):
    delivery = report(claim, [upload("收据.pdf", pdf_bytes(), "application/pdf")])
    [evidence] = delivery.evidence.all()
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.endswith(".pdf")


def test_an_oversize_upload_is_refused(claim, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as refused:
        report(claim, [upload("big.png", png_bytes(size=(100, 100), noise=True), "image/png")])
    assert [error.code for error in refused.value.error_dict["files"]] == ["too_large"]


def test_at_most_five_files_and_at_least_one(claim):
    with pytest.raises(ValidationError) as refused:
        report(claim, [upload(f"p{n}.png", png_bytes(), "image/png") for n in range(6)])
    assert [error.code for error in refused.value.error_dict["files"]] == ["too_many_files"]
    with pytest.raises(ValidationError) as refused:
        report(claim, [])
    assert [error.code for error in refused.value.error_dict["files"]] == ["evidence_required"]


def test_one_bad_file_refuses_the_whole_report(claim):
    good = upload("ok.png", png_bytes(), "image/png")
    bad = upload("bad.jpg", b"text", "image/jpeg")
    with pytest.raises(ValidationError):
        report(claim, [good, bad])
    assert not Evidence.objects.exists()


def test_files_stored_before_a_failure_are_removed(claim, monkeypatch, settings):
    from marketplace.delivery.services import reports as service

    def fail(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(service, "feedback_emit", fail)
    with pytest.raises(RuntimeError):
        report(claim, [upload("ok.png", png_bytes(), "image/png")])
    evidence_dir = settings.MEDIA_ROOT / "private" / "evidence"
    assert not evidence_dir.exists() or not any(evidence_dir.iterdir())
    assert not Delivery.objects.exists()


def test_report_dates_are_checked(claim):
    with pytest.raises(ValidationError) as refused:
        report(
            claim,
            [upload("ok.png", png_bytes(), "image/png")],
            delivered_on=timezone.localdate() + timedelta(days=1),
        )
    assert "delivered_on" in refused.value.error_dict
