"""Evidence files for the delivery tests (and the evidence check in ``tests/core``): real JPEG,
PNG, WebP and PDF bytes, and the hostile files a check must refuse.

Claims to report on are made by ``tests.factories.claims.ClaimFactory``; deliveries are made
through the delivery service in the tests, since what it stores is what they check.
"""

from __future__ import annotations

import secrets
import zipfile
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# --- evidence files -------------------------------------------------------------------------

GPS_LATITUDE = (30.0, 30.0, 36.0)  # near Wuhan


def jpeg_with_exif(*, size=(64, 48), orientation: int | None = None) -> bytes:
    """A real JPEG carrying a camera make, GPS coordinates, a comment and optionally a rotation."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Model] = "Serial-12345"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (114.0, 18.0, 0.0)
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"home of the household")
    return out.getvalue()


def png_bytes(*, size=(32, 32), noise: bool = False) -> bytes:
    image = (
        Image.frombytes("RGB", size, secrets.token_bytes(size[0] * size[1] * 3))
        if noise
        else Image.new("RGB", size, (20, 120, 200))
    )
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def webp_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (24, 24), (10, 160, 60)).save(out, format="WEBP")
    return out.getvalue()


def encoded(image: Image.Image, format: str, **params) -> bytes:
    """``image`` saved in ``format`` (with Pillow's ``params``)."""
    out = BytesIO()
    image.save(out, format=format, **params)
    return out.getvalue()


def zip_bytes() -> bytes:
    """A zip archive holding a Windows executable: what no evidence file may be."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", b"MZ" + b"\0" * 100)
    return out.getvalue()


def pdf_bytes(*, body: bytes = b"BT /F1 12 Tf 72 720 Td (Delivered) Tj ET", trailing: bytes = b"") -> bytes:
    """A small, well-formed one-page PDF (with an xref table), plus ``trailing`` bytes."""
    stream = zlib.compress(body)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue() + trailing


def flate_stream(data: bytes, extra: bytes = b"") -> bytes:
    """The body of a FlateDecode stream object holding ``data``."""
    packed = zlib.compress(data)
    head = b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra)
    return head + packed + b"\nendstream"


def pdf_document(
    *,
    catalog: bytes = b"",
    page: bytes = b"",
    extra: dict[int, bytes] | None = None,
    compressed: frozenset[int] | set[int] = frozenset(),
) -> bytes:
    """A one-page PDF written by hand, byte by byte, as an attacker would write it.

    Objects 1–4 are the catalog (plus ``catalog`` entries), the page tree, the page (plus
    ``page`` entries) and its FlateDecode content stream; ``extra`` adds objects 5, 6… The
    objects numbered in ``compressed`` go into one zlib-compressed object stream (PDF 1.5),
    listed in a cross-reference stream; otherwise the file has a classic xref table.
    """
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> /Contents 4 0 R "
        + page
        + b" >>",
        4: flate_stream(b"BT /F1 12 Tf 72 720 Td (Delivered) Tj ET"),
        **(extra or {}),
    }
    out = BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}  # number: (type, field 2, field 3)
    for number, body in objects.items():
        if number not in compressed:
            entries[number] = (1, out.tell(), 0)
            out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    if not compressed:
        xref = out.tell()
        size = max(objects) + 1
        out.write(b"xref\n0 %d\n" % size)
        for number in range(size):
            kind, offset, generation = entries.get(number, (0, 0, 65535))
            out.write(b"%010d %05d %s \n" % (offset, generation, b"n" if kind == 1 else b"f"))
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
        return out.getvalue()
    stream_number = max(objects) + 1
    index, bodies = [], b""
    for position, number in enumerate(sorted(compressed)):
        index.append(b"%d %d" % (number, len(bodies)))
        bodies += objects[number] + b"\n"
        entries[number] = (2, stream_number, position)
    head = b" ".join(index) + b"\n"
    entries[stream_number] = (1, out.tell(), 0)
    out.write(
        b"%d 0 obj\n" % stream_number
        + flate_stream(head + bodies, b"/Type /ObjStm /N %d /First %d " % (len(compressed), len(head)))
        + b"\nendobj\n"
    )
    xref_number = stream_number + 1
    entries[xref_number] = (1, out.tell(), 0)
    size = xref_number + 1
    table = b"".join(
        bytes([entries.get(n, (0, 0, 65535))[0]])
        + entries.get(n, (0, 0, 65535))[1].to_bytes(4, "big")
        + entries.get(n, (0, 0, 65535))[2].to_bytes(2, "big")
        for n in range(size)
    )
    xref = out.tell()
    out.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_number, size, len(table))
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
