"""Evidence files are checked by content, never by name, and photos lose their metadata."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import ExifTags, Image

from marketplace.evidence import EvidenceError, check_evidence, sniff
from marketplace.models import Delivery, Evidence
from marketplace.services.delivery import delivery_report
from tests.factories.delivery import (
    jpeg_with_exif,
    make_claim,
    make_need,
    pdf_bytes,
    png_bytes,
    upload,
    webp_bytes,
)

LIMIT = 5 * 1024 * 1024


def zip_bytes() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", b"MZ" + b"\0" * 100)
    return out.getvalue()


# --- the pure check -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"just some text pretending to be a photo",
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        zip_bytes(),
        b"GIF89a" + b"\0" * 40,
    ],
    ids=["text", "html", "svg", "zip", "gif"],
)
def test_anything_but_jpeg_png_webp_or_pdf_is_refused_by_content(data):
    with pytest.raises(EvidenceError) as refused:
        check_evidence(data, max_bytes=LIMIT)
    assert refused.value.code == "unsupported_type"


def test_the_kind_comes_from_the_first_bytes():
    assert sniff(jpeg_with_exif()) == "jpeg"
    assert sniff(png_bytes()) == "png"
    assert sniff(webp_bytes()) == "webp"
    assert sniff(pdf_bytes()) == "pdf"
    assert sniff(b"<html>") is None


def test_a_jpeg_header_on_garbage_is_refused_as_a_damaged_image():
    with pytest.raises(EvidenceError) as refused:
        check_evidence(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20, max_bytes=LIMIT)
    assert refused.value.code == "corrupt_image"


def test_a_truncated_png_is_refused():
    data = png_bytes(size=(64, 64), noise=True)
    with pytest.raises(EvidenceError) as refused:
        check_evidence(data[: len(data) // 2], max_bytes=LIMIT)
    assert refused.value.code == "corrupt_image"


def test_a_jpeg_is_reencoded_without_exif_gps_or_comment():
    original = jpeg_with_exif()
    with Image.open(BytesIO(original)) as before:
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file really has GPS
        assert before.info.get("comment")
    checked = check_evidence(original, max_bytes=LIMIT)
    assert checked.content_type == "image/jpeg"
    assert checked.extension == "jpg"
    with Image.open(BytesIO(checked.content)) as after:
        assert after.format == "JPEG"
        assert not after.getexif()
        assert "exif" not in after.info
        assert "comment" not in after.info
        assert after.size == (64, 48)
    assert b"Exif" not in checked.content
    assert b"TestCam" not in checked.content
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()


def test_a_rotated_photo_stays_upright_once_its_exif_is_gone():
    checked = check_evidence(jpeg_with_exif(size=(64, 48), orientation=6), max_bytes=LIMIT)
    with Image.open(BytesIO(checked.content)) as after:
        assert after.size == (48, 64)
        assert not after.getexif()


def test_data_appended_to_an_image_is_dropped():
    polyglot = png_bytes() + zip_bytes()
    checked = check_evidence(polyglot, max_bytes=LIMIT)
    assert checked.kind == "png"
    assert b"PK\x03\x04" not in checked.content


def test_webp_is_accepted():
    checked = check_evidence(webp_bytes(), max_bytes=LIMIT)
    assert checked.content_type == "image/webp"
    assert checked.extension == "webp"


def test_a_pdf_is_accepted_and_cut_after_its_last_eof_marker():
    checked = check_evidence(pdf_bytes(trailing=b"PK\x03\x04 appended archive"), max_bytes=LIMIT)
    assert checked.content_type == "application/pdf"
    assert checked.extension == "pdf"
    assert checked.content.startswith(b"%PDF-")
    assert checked.content.rstrip().endswith(b"%%EOF")
    assert b"appended archive" not in checked.content


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << >> endobj\n",  # no %%EOF
        pdf_bytes() + b"x" * 5000,  # %%EOF far from the end
    ],
    ids=["no-eof", "eof-not-at-end"],
)
def test_an_incomplete_pdf_is_refused(data):
    with pytest.raises(EvidenceError) as refused:
        check_evidence(data, max_bytes=LIMIT)
    assert refused.value.code == "corrupt_pdf"


def test_a_pdf_with_javascript_is_refused():
    data = pdf_bytes().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
    )
    with pytest.raises(EvidenceError) as refused:
        check_evidence(data, max_bytes=LIMIT)
    assert refused.value.code == "pdf_active_content"


def test_an_oversize_file_is_refused():
    data = png_bytes(size=(200, 200), noise=True)
    with pytest.raises(EvidenceError) as refused:
        check_evidence(data, max_bytes=len(data) - 1)
    assert refused.value.code == "too_large"


def test_an_empty_file_is_refused():
    with pytest.raises(EvidenceError) as refused:
        check_evidence(b"", max_bytes=LIMIT)
    assert refused.value.code == "empty"


# --- through the delivery service ----------------------------------------------------------------


@pytest.fixture
def claim(db):
    return make_claim(need=make_need(target="800.00"))


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
    from marketplace.services import delivery as service

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
