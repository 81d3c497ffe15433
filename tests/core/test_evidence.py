"""Evidence files are checked by content, never by name, and photos lose their metadata."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import zlib
from io import BytesIO

import pikepdf
import pytest
from PIL import ExifTags, Image

from core import evidence as evidence_module
from core.evidence import EvidenceError, check_evidence, image_slot, sniff
from tests.factories.delivery import (
    encoded,
    flate_stream,
    jpeg_with_exif,
    pdf_bytes,
    pdf_document,
    png_bytes,
    webp_bytes,
    zip_bytes,
)

LIMIT = 5 * 1024 * 1024


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


# --- image limits: refused from the header, decoded small, a bounded number at once --------------


def test_the_png_bomb_of_the_issue_is_refused_from_its_header_with_the_limit():
    # 7,700 × 7,700 grey pixels in a few dozen KB: 59 MP, 237 MB once decoded.
    bomb = encoded(Image.new("L", (7700, 7700), 255), "PNG", optimize=True)
    assert len(bomb) < 100_000
    with pytest.raises(EvidenceError) as refused:
        check_evidence(bomb, max_bytes=LIMIT)
    assert refused.value.code == "image_too_large"
    assert "7700 × 7700" in refused.value.message
    assert "16 百万像素" in refused.value.message  # the limit, in the user's language
    assert "PNG" in refused.value.message


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` and whose data is a few zero rows: it
    would not even decode, so refusing it as too large shows the header alone was read."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])  # 8-bit grey
    rows = zlib.compress(b"\0" * (width + 1) * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(4001, 4000), (12000, 10000), (30000, 20000)])
def test_a_png_over_the_limit_is_refused_from_its_header_alone(size):
    # 16 MP and a pixel, then sizes where Pillow itself would warn (89 MP) or refuse (179 MP).
    with pytest.raises(EvidenceError) as refused:
        check_evidence(png_claiming(*size), max_bytes=LIMIT)
    assert refused.value.code == "image_too_large"
    assert f"{size[0]} × {size[1]}" in refused.value.message


def test_an_image_just_under_the_limit_is_accepted_and_stored_downscaled():
    side = int(evidence_module.RASTER_MAX_PIXELS**0.5)  # 4,000 × 4,000
    screenshot = encoded(Image.new("RGB", (side, side), (240, 240, 240)), "PNG")
    checked = check_evidence(screenshot, max_bytes=LIMIT)
    with Image.open(BytesIO(checked.content)) as stored:
        assert stored.format == "PNG"
        assert stored.size == (2236, 2236)
        assert stored.size[0] * stored.size[1] <= evidence_module.STORED_MAX_PIXELS
    one_row_more = encoded(Image.new("RGB", (side, side + 1), (240, 240, 240)), "PNG")
    with pytest.raises(EvidenceError) as refused:
        check_evidence(one_row_more, max_bytes=LIMIT)
    assert refused.value.code == "image_too_large"


def test_a_48_megapixel_photo_is_decoded_at_half_size_never_in_full(monkeypatch):
    photo = encoded(Image.new("L", (8000, 6000), 128), "JPEG", quality=70)
    resized_from = []
    resize = Image.Image.resize

    def spy(image, size, *args, **kwargs):
        resized_from.append(image.size)  # the decoded image the stored one is made from
        return resize(image, size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", spy)
    checked = check_evidence(photo, max_bytes=LIMIT)
    assert resized_from == [(4000, 3000)]  # libjpeg scaled it by 1/2 while decoding
    with Image.open(BytesIO(checked.content)) as stored:
        assert stored.size == (2581, 1936)


def test_a_jpeg_above_50_megapixels_or_a_large_progressive_one_is_refused():
    too_many = encoded(Image.new("L", (8200, 6200), 128), "JPEG", quality=50)
    with pytest.raises(EvidenceError) as refused:
        check_evidence(too_many, max_bytes=LIMIT)
    assert refused.value.code == "image_too_large"
    assert "50 百万像素" in refused.value.message
    # A progressive JPEG keeps every coefficient of the full image while decoding: PNG's limit.
    progressive = encoded(Image.new("L", (5000, 4000), 128), "JPEG", quality=50, progressive=True)
    with pytest.raises(EvidenceError) as refused:
        check_evidence(progressive, max_bytes=LIMIT)
    assert refused.value.code == "image_too_large"
    assert "渐进式" in refused.value.message
    # The same photo as an ordinary JPEG is decoded reduced, and accepted.
    ordinary = encoded(Image.new("L", (5000, 4000), 128), "JPEG", quality=50)
    assert check_evidence(ordinary, max_bytes=LIMIT).kind == "jpeg"


def test_at_most_the_configured_number_of_images_are_decoded_at_once(settings, monkeypatch):
    settings.EVIDENCE_IMAGE_CONCURRENCY = 2
    settings.EVIDENCE_IMAGE_WAIT_SECONDS = 60
    uploads = 6
    inside, most_inside = 0, 0
    counter = threading.Lock()
    # Three decoders meet here when nothing bounds them; with two slots the barrier breaks
    # (after its timeout) instead, and every later decoder passes it at once.
    meeting = threading.Barrier(3, timeout=2)
    start = threading.Barrier(uploads)
    decode = evidence_module._decode_scaled

    def counted(data, kind):
        nonlocal inside, most_inside
        with counter:
            inside += 1
            most_inside = max(most_inside, inside)
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()
        try:
            return decode(data, kind)
        finally:
            with counter:
                inside -= 1

    monkeypatch.setattr(evidence_module, "_decode_scaled", counted)
    results = []

    def send():
        start.wait()
        results.append(check_evidence(png_bytes(), max_bytes=LIMIT).kind)

    threads = [threading.Thread(target=send) for _ in range(uploads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["png"] * uploads
    assert most_inside == 2


def test_an_upload_that_finds_no_free_slot_in_time_is_told_to_try_again(settings):
    settings.EVIDENCE_IMAGE_CONCURRENCY = 1
    settings.EVIDENCE_IMAGE_WAIT_SECONDS = 0.01
    with image_slot(), pytest.raises(EvidenceError) as refused:  # another request is decoding
        check_evidence(png_bytes(), max_bytes=LIMIT)
    assert refused.value.code == "busy"
    assert "重试" in refused.value.message
    assert check_evidence(png_bytes(), max_bytes=LIMIT).kind == "png"  # the slot is free again


# --- PDF active content: parsed as a reader parses it ---------------------------------------------

JS_ACTION = b"<< /S /JavaScript /JS (app.alert('evidence')) >>"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (pdf_document(catalog=b"/OpenAction << /S /Java#53cript /J#53 (app.alert(1)) >>"), "脚本"),
        (pdf_document(catalog=b"/OpenAction << /S /Launc#68 /F (cmd.exe) >>"), "启动程序"),
        # The action in a zlib-compressed object stream: no name of it is in the file's bytes.
        (pdf_document(catalog=b"/OpenAction 5 0 R", extra={5: JS_ACTION}, compressed={5}), "脚本"),
        # The script itself in a FlateDecode stream, reached through an escaped /JS.
        (
            pdf_document(
                catalog=b"/OpenAction << /S /Java#53cript /J#53 5 0 R >>",
                extra={5: flate_stream(b"app.launchURL('https://example.org/')")},
            ),
            "脚本",
        ),
        (pdf_document(page=b"/AA << /O << /S /Named /N /NextPage >> >>"), "自动执行"),
        (
            pdf_document(
                page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] "
                b"/A << /S /URI /URI (https://example.org/login) >> >>]"
            ),
            "网站链接",
        ),
        (
            pdf_document(
                catalog=b"/Names << /Embedded#46iles << /Names [(payload.exe) 5 0 R] >> >>",
                extra={
                    5: b"<< /Type /Filespec /F (payload.exe) /EF << /F 6 0 R >> >>",
                    6: flate_stream(b"MZ" + b"\0" * 64, b"/Type /EmbeddedFil#65 "),
                },
                compressed={5},
            ),
            "附件",
        ),
        (pdf_document(catalog=b"/OpenAction << /S /SubmitForm /F (https://example.org/) >>"), "表单"),
        (pdf_document(catalog=b"/OpenAction << /S /GoTo#52 /F (other.pdf) /D [0 /Fit] >>"), "其他文档"),
    ],
    ids=[
        "escaped-javascript",
        "escaped-launch",
        "object-stream",
        "script-in-flate-stream",
        "page-aa",
        "uri",
        "embedded-file",
        "submit-form",
        "gotor",
    ],
)
def test_a_pdf_with_active_content_is_refused_naming_what_was_found(data, label):
    with pytest.raises(EvidenceError) as refused:
        check_evidence(data, max_bytes=LIMIT)
    assert refused.value.code == "pdf_active_content"
    assert label in refused.value.message


def test_javascript_in_an_object_stream_written_by_pikepdf_is_refused():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    out = BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    data = out.getvalue()
    assert b"JavaScript" not in data  # compressed away
    with pytest.raises(EvidenceError) as refused:
        check_evidence(data, max_bytes=LIMIT)
    assert refused.value.code == "pdf_active_content"


def test_plain_pdfs_made_by_pikepdf_and_weasyprint_are_accepted():
    from weasyprint import HTML

    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    receipt = HTML(string="<h1>收据</h1><p>已送达：大米 20 斤、食用油 2 桶。</p>").write_pdf()
    for data in (out.getvalue(), receipt, pdf_document()):
        checked = check_evidence(data, max_bytes=LIMIT)
        assert checked.kind == "pdf"
        with pikepdf.open(BytesIO(checked.content)) as stored:
            assert len(stored.pages) == 1


def test_the_stored_pdf_is_the_document_that_was_examined():
    # An object outside the cross-reference table is invisible to the check; a reader that
    # repairs the file might pick it up, so it is not stored.
    hidden = b"9 0 obj\n" + JS_ACTION + b"\nendobj\n"
    checked = check_evidence(pdf_document() + hidden + b"%%EOF\n", max_bytes=LIMIT)
    assert b"app.alert" not in checked.content
    with pikepdf.open(BytesIO(checked.content)) as stored:
        assert len(stored.pages) == 1


def test_an_object_stream_that_inflates_past_the_limit_is_not_read_nor_stored():
    # The limit is 64 MB; lowered here so that the test stays small. What qpdf cannot inflate
    # it cannot examine, and what it did not examine is not in the stored copy.
    padding = b"<< /Padding (" + b"A" * 2_000_000 + b") >>"
    data = pdf_document(
        catalog=b"/OpenAction 6 0 R /Extra 5 0 R", extra={5: padding, 6: JS_ACTION}, compressed={5, 6}
    )
    previous = pikepdf.settings.set_qpdf_limits(flate_max_memory=1_000_000)
    try:
        checked = check_evidence(data, max_bytes=LIMIT)
    finally:
        pikepdf.settings.set_qpdf_limits(**previous)
    with pikepdf.open(BytesIO(checked.content)) as stored:
        assert evidence_module.pdf_active_content(stored) == set()
        assert len(stored.pages) == 1


def test_a_pdf_the_parser_cannot_read_is_refused():
    with pytest.raises(EvidenceError) as refused:
        check_evidence(b"%PDF-1.7\nthis is no PDF at all\n%%EOF\n", max_bytes=LIMIT)
    assert refused.value.code == "corrupt_pdf"


def test_a_password_protected_pdf_is_refused():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(EvidenceError) as refused:
        check_evidence(out.getvalue(), max_bytes=LIMIT)
    assert refused.value.code == "pdf_encrypted"
    assert "密码" in refused.value.message
