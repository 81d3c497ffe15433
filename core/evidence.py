"""Evidence files (交付凭证, and organizations' registration certificates), checked by their content.

Pure functions over bytes: no database, no storage. ``check_evidence`` decides what a file
*is* from its first bytes (JPEG, PNG, WebP or PDF, nothing else), whatever its name or the
content type the browser claimed, and returns the bytes to store:

* images are decoded by Pillow and **re-encoded** from their pixels alone, so EXIF (GPS
  position, camera serial, time), XMP, ICC profiles, comments and anything appended after the
  image (a ZIP glued to a JPEG) are gone; the EXIF orientation is applied, so a photo taken
  upright stays upright. The stored image has at most ``STORED_MAX_PIXELS``.
* Decoding is bounded, because a small file can hold a huge image (a 57 KB PNG of 7,700 ×
  7,700 pixels decodes to 237 MB): the dimensions are read from the header and the image is
  refused *before* decoding above ``JPEG_MAX_PIXELS`` (ordinary JPEG photos, which libjpeg
  decodes already scaled down by 1/2, 1/4 or 1/8 through Pillow's ``draft``, so a 48 MP photo
  never exists at full size in memory) or ``RASTER_MAX_PIXELS`` (PNG, WebP and multi-scan
  JPEGs, which are decoded whole); and at most ``EVIDENCE_IMAGE_CONCURRENCY`` images are
  decoded at once per process (gunicorn threads and ASGI workers share it); a file that waits
  more than ``EVIDENCE_IMAGE_WAIT_SECONDS`` for its turn is refused as ``busy``.
* PDFs must start with ``%PDF-`` and end with ``%%EOF`` (within the last 1,024 bytes). They are
  parsed by qpdf (pikepdf), which reads escaped names (``/Java#53cript``), object streams and
  encryption as a PDF reader does; every object is examined and a PDF with active content
  (scripts, launch, URI, remote go-to, submit-form/import-data actions, automatic actions,
  attached files, multimedia, XFA forms) is **refused**, naming what was found. What is stored
  is qpdf's rewrite of the document that was examined (only the objects reachable from its
  trailer, a fresh cross-reference table, no encryption), so a reader that would repair a
  damaged file differently cannot find an object the check never saw. The evidence view still
  serves PDFs as downloads (``Content-Disposition: attachment``), never inline.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, JpegImagePlugin, PngImagePlugin, UnidentifiedImageError, WebPImagePlugin

MAX_FILES = 5
# Phone cameras take 12–50 megapixel photos (48 MP: 8,000 × 6,000; 50 MP: 8,160 × 6,120). An
# ordinary (single-scan) JPEG is decoded scaled down on the fly, so its size costs little memory.
JPEG_MAX_PIXELS = 50_000_000
# PNG and WebP have no reduced decoding, and neither have multi-scan (progressive) JPEGs, whose
# decoder keeps every coefficient of the full image: they are decoded whole, at 4 bytes a pixel.
# 16 MP holds an A4 page scanned at 400 dpi or a long phone screenshot (1,080 × 14,800).
RASTER_MAX_PIXELS = 16_000_000
# What is stored: about 5 MP whatever the shape (2,582 × 1,936 for a 4:3 photo), so a long
# screenshot keeps readable text instead of a thin strip that a long-side bound would give.
STORED_MAX_PIXELS = 5_000_000
PDF_EOF_WINDOW = 1024
JPEG_QUALITY = 88
# qpdf inflates every object stream it reads; bound it (process-wide) so a 5 MB upload cannot
# inflate into gigabytes. An object stream over the bound is left unread, like any damaged
# object: it is neither examined nor part of the stored rewrite.
PDF_FLATE_MAX_MEMORY = 64 * 1024 * 1024
pikepdf.settings.set_qpdf_limits(flate_max_memory=PDF_FLATE_MAX_MEMORY)

JPEG, PNG, WEBP, PDF = "jpeg", "png", "webp", "pdf"
KINDS = {
    # kind: (content type, extension, Pillow format)
    JPEG: ("image/jpeg", "jpg", "JPEG"),
    PNG: ("image/png", "png", "PNG"),
    WEBP: ("image/webp", "webp", "WEBP"),
    PDF: ("application/pdf", "pdf", None),
}
IMAGE_KINDS = frozenset({JPEG, PNG, WEBP})
HEADER_READERS = {
    JPEG: JpegImagePlugin.JpegImageFile,
    PNG: PngImagePlugin.PngImageFile,
    WEBP: WebPImagePlugin.WebPImageFile,
}
# EXIF orientation → the transposition that makes the photo upright (as ImageOps.exif_transpose).
ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Active content in a PDF, after qpdf has normalized names and read object streams: refused,
# since caseworkers open the evidence in desktop PDF readers. Labels are filled in lazily.
PDF_FORBIDDEN_ACTIONS = {  # value of an action dictionary's /S
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/URI": "uri",
    "/SubmitForm": "form",
    "/ImportData": "form",
    "/GoToR": "remote",
    "/GoToE": "remote",
    "/RichMediaExecute": "multimedia",
    "/Rendition": "multimedia",
    "/Movie": "multimedia",
    "/Sound": "multimedia",
}
PDF_FORBIDDEN_KEYS = {  # a dictionary holding one of these keys
    "/JS": "javascript",
    "/JavaScript": "javascript",  # the document's JavaScript name tree
    "/AA": "automatic",
    "/EmbeddedFiles": "attachment",
    "/EF": "attachment",
    "/XFA": "xfa",
    "/RichMediaContent": "multimedia",
    "/RichMediaSettings": "multimedia",
}
PDF_FORBIDDEN_SUBTYPES = {  # annotation or stream /Subtype
    "/FileAttachment": "attachment",
    "/RichMedia": "multimedia",
    "/Movie": "multimedia",
    "/Sound": "multimedia",
    "/Screen": "multimedia",
    "/3D": "multimedia",
}
PDF_FORBIDDEN_TYPES = {"/EmbeddedFile": "attachment"}


class EvidenceError(ValueError):
    """A file that is not acceptable evidence; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class CheckedEvidence:
    """What to store: the cleaned bytes and what they really are."""

    content: bytes
    kind: str
    content_type: str
    extension: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def sniff(data: bytes) -> str | None:
    """The kind of file ``data`` starts like (``jpeg``, ``png``, ``webp``, ``pdf``), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def check_evidence(data: bytes, *, max_bytes: int) -> CheckedEvidence:
    """Check one file by its content and return the bytes to store.

    Raises ``EvidenceError`` with code ``empty``, ``too_large``, ``unsupported_type`` (not a
    JPEG, PNG, WebP or PDF by content), ``corrupt_image``, ``image_too_large`` (pixels, read
    from the header before decoding), ``busy`` (no image slot free in time), ``corrupt_pdf``,
    ``pdf_encrypted`` (needs a password) or ``pdf_active_content``.
    """
    if not data:
        raise EvidenceError("empty", _("The file is empty."))
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    kind = sniff(data)
    if kind is None:
        raise EvidenceError(
            "unsupported_type", _("Only photos (JPEG, PNG, WebP) and PDF documents are accepted.")
        )
    content = _clean_pdf(data) if kind == PDF else _reencode_image(data, kind)
    if len(content) > max_bytes:
        # Re-encoding a heavily compressed image can make it larger than the limit.
        raise too_large(max_bytes)
    content_type, extension, _format = KINDS[kind]
    return CheckedEvidence(
        content=content,
        kind=kind,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def too_large(max_bytes: int) -> EvidenceError:
    return EvidenceError("too_large", _("The file is larger than %(mb)s MB.") % {"mb": _megabytes(max_bytes)})


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:g}" if value >= 1 else f"{value:.2f}"


# --- images ---------------------------------------------------------------------------------------

_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _image_slots() -> threading.BoundedSemaphore:
    """The process's image-decoding slots, ``EVIDENCE_IMAGE_CONCURRENCY`` of them."""
    global _slots
    size = max(1, int(getattr(settings, "EVIDENCE_IMAGE_CONCURRENCY", 2)))
    with _slots_lock:
        if _slots is None or _slots[0] != size:  # first use, or the setting changed (tests)
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


@contextmanager
def image_slot() -> Iterator[None]:
    """Hold one of the process's image-decoding slots; ``EvidenceError`` ``busy`` if none frees
    up within ``EVIDENCE_IMAGE_WAIT_SECONDS``: a burst of uploads waits a little, then is told
    to try again, rather than queueing without end or decoding all at once."""
    slots = _image_slots()
    wait = float(getattr(settings, "EVIDENCE_IMAGE_WAIT_SECONDS", 10))
    if not slots.acquire(timeout=wait):
        raise EvidenceError(
            "busy", _("Too many photos are being processed right now; please try again in a minute.")
        )
    try:
        yield
    finally:
        slots.release()


def _jpeg_scan_count(data: bytes) -> int:
    """How many scans (SOS segments) a JPEG has: more than one means the decoder keeps the
    coefficients of the whole image, and cannot decode it scaled down cheaply."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:  # stray bytes between segments: libjpeg skips them too
            position = data.find(b"\xff", position)
            if position == -1:
                return 0
            continue
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # first scan: later SOS markers can only be further scans
            return 1 + data.count(b"\xff\xda", position + 2)
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            position += 2
            continue
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return 0


def _pixel_limit(probe: Image.Image, kind: str, data: bytes) -> tuple[int, str]:
    """The most pixels accepted for this image, and the label of its category."""
    if kind != JPEG:
        return RASTER_MAX_PIXELS, _("PNG and WebP images")
    if probe.info.get("progressive") or _jpeg_scan_count(data) > 1:
        return RASTER_MAX_PIXELS, _("progressive JPEG images")
    return JPEG_MAX_PIXELS, _("JPEG photos")


def stored_size(width: int, height: int) -> tuple[int, int]:
    """The size an image of ``width`` × ``height`` is stored at: at most ``STORED_MAX_PIXELS``."""
    if width * height <= STORED_MAX_PIXELS:
        return width, height
    scale = math.sqrt(STORED_MAX_PIXELS / (width * height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _reencode_image(data: bytes, kind: str) -> bytes:
    """Decode (bounded, scaled down), verify and re-encode an image from its pixels only."""
    corrupt = EvidenceError("corrupt_image", _("The image cannot be read; it may be damaged."))
    try:
        # The format's own class reads the header only (and, unlike Image.open, applies no
        # decompression-bomb rule of Pillow's, so that ours answers with the size and the limit):
        # the size is known before any pixel is decoded.
        with HEADER_READERS[kind](BytesIO(data)) as probe:
            width, height = probe.size
            limit, category = _pixel_limit(probe, kind, data)
            if width * height > limit:
                raise EvidenceError(
                    "image_too_large",
                    _(
                        "The image is %(width)d × %(height)d pixels, more than the %(megapixels)s "
                        "megapixels accepted for %(kind)s; please send a smaller image."
                    )
                    % {
                        "width": width,
                        "height": height,
                        "megapixels": f"{limit / 1_000_000:g}",
                        "kind": category,
                    },
                )
            probe.verify()
        with image_slot():
            pixels = _decode_scaled(data, kind)
            # A fresh image holds the pixels and nothing else: no info dict, no EXIF, no comment.
            clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
            del pixels
            return _encode(clean, kind)
    except EvidenceError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        raise corrupt from None


def _decode_scaled(data: bytes, kind: str) -> Image.Image:
    """The image's pixels, upright, at most ``STORED_MAX_PIXELS``, in a mode its format stores.

    A JPEG is decoded already reduced (libjpeg scales by 1/2, 1/4 or 1/8 while decoding, to the
    smallest size still at least the stored one); the rest is resized once decoded. The EXIF
    orientation is applied last, to the small image.
    """
    # verify() left the probe unusable: open the file again to decode the pixels.
    with Image.open(BytesIO(data), formats=[KINDS[kind][2]]) as image:
        target = stored_size(*image.size)
        if kind == JPEG and target != image.size:
            image.draft(None, target)
        image.load()
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        orientation = image.getexif().get(ExifTags.Base.Orientation)
        pixels: Image.Image = image
        if pixels.mode not in ("RGB", "RGBA", "L", "LA"):
            # Palette, 1-bit, 16-bit and CMYK images resize badly (or not at all): convert first.
            pixels = _normalized_mode(pixels, kind, has_alpha=has_alpha)
        target = stored_size(*pixels.size)
        if target != pixels.size:
            pixels = pixels.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        pixels = _normalized_mode(pixels, kind, has_alpha=has_alpha)
        if pixels is image:
            pixels = image.copy()  # closing the file destroys its image; keep the pixels
    method = ORIENTATION_TRANSPOSE.get(orientation)
    return pixels.transpose(method) if method is not None else pixels


def _encode(clean: Image.Image, kind: str) -> bytes:
    out = BytesIO()
    if kind == JPEG:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind == PNG:
        # zlib's default level, not optimize=True: 4–5× faster for a 5 MP image, a few % larger,
        # and the encoding runs inside an image slot that other uploads wait for.
        clean.save(out, format="PNG", compress_level=6)
    else:
        clean.save(out, format="WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def _normalized_mode(image: Image.Image, kind: str, *, has_alpha: bool) -> Image.Image:
    """The image in a mode its format can store without a palette or profile."""
    if kind == JPEG:
        wanted = "L" if image.mode in ("1", "L") else "RGB"
    elif image.mode == "L" and not has_alpha:
        wanted = "L"
    else:
        wanted = "RGBA" if has_alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


# --- PDF ------------------------------------------------------------------------------------------


def _pdf_label(category: str) -> str:
    return {
        "javascript": _("scripts (JavaScript)"),
        "launch": _("an action that starts a program"),
        "uri": _("links to web sites"),
        "form": _("a form that sends or imports data"),
        "remote": _("links to other documents"),
        "multimedia": _("multimedia content"),
        "automatic": _("actions run automatically when it is opened or viewed"),
        "attachment": _("attached files"),
        "xfa": _("an XFA form"),
    }[category]


def pdf_active_content(pdf: pikepdf.Pdf) -> set[str]:
    """The categories of active content found in any object of ``pdf`` (empty: none).

    Walks every object qpdf knows (those inside object streams included) and the dictionaries
    and arrays nested in them; names are compared as qpdf decoded them, so ``/Java#53cript``
    is ``/JavaScript``. Stream data is not read: actions live in dictionaries, and a script in a
    stream is reached only through a ``/JS`` key.
    """
    found: set[str] = set()
    stack: list[pikepdf.Object] = [pdf.trailer, *pdf.objects]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Array):
            stack.extend(
                item
                for item in obj
                if isinstance(item, (pikepdf.Dictionary, pikepdf.Array)) and not item.is_indirect
            )
            continue
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        for key, value in obj.items():
            if key in PDF_FORBIDDEN_KEYS:
                found.add(PDF_FORBIDDEN_KEYS[key])
            if key in ("/S", "/Subtype", "/Type") and isinstance(value, pikepdf.Name):
                table = {
                    "/S": PDF_FORBIDDEN_ACTIONS,
                    "/Subtype": PDF_FORBIDDEN_SUBTYPES,
                    "/Type": PDF_FORBIDDEN_TYPES,
                }[key]
                if str(value) in table:
                    found.add(table[str(value)])
            elif isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
                stack.append(value)
    return found


def _clean_pdf(data: bytes) -> bytes:
    """The PDF as qpdf rewrites it, after refusing damaged, locked or active documents."""
    corrupt = EvidenceError("corrupt_pdf", _("The PDF document is incomplete or damaged."))
    end = data.rfind(b"%%EOF")
    if end == -1 or end < len(data) - PDF_EOF_WINDOW:
        raise corrupt
    try:
        with pikepdf.open(BytesIO(data[: end + len(b"%%EOF")])) as pdf:
            found = pdf_active_content(pdf)
            if found:
                raise EvidenceError(
                    "pdf_active_content",
                    _(
                        "PDF documents with %(found)s are not accepted: caseworkers open evidence in "
                        "PDF readers. Please send a scan or a photo of the document, or a PDF without them."
                    )
                    % {"found": _(", ").join(sorted(_pdf_label(category) for category in found))},
                )
            out = BytesIO()
            # Streams are copied as they are (never inflated); only the examined objects are written.
            pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, deterministic_id=True)
            return out.getvalue()
    except EvidenceError:
        raise
    except pikepdf.PasswordError:
        raise EvidenceError(
            "pdf_encrypted",
            _("The PDF document is protected by a password; please send it without the password."),
        ) from None
    except (pikepdf.PdfError, pikepdf.DataDecodingError, ValueError, RecursionError):
        raise corrupt from None


def max_evidence_bytes() -> int:
    """The largest file accepted (``EVIDENCE_MAX_BYTES``)."""
    return getattr(settings, "EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)


def check_uploads(
    files, *, missing: str = "", missing_code: str = "required"
) -> tuple[list[CheckedEvidence], list[ValidationError]]:
    """Check uploaded files (1 to ``MAX_FILES``; none is fine unless ``missing`` says what to
    ask for) one by one with ``check_evidence``: the checked files, and an error per refused
    file naming it. A file over the size limit is refused before it is read."""
    files = [file for file in files or [] if file]
    errors: list[ValidationError] = []
    if not files:
        if missing:
            errors.append(ValidationError(missing, code=missing_code))
        return [], errors
    if len(files) > MAX_FILES:
        errors.append(
            ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES}, code="too_many_files")
        )
        return [], errors
    limit = max_evidence_bytes()
    checked = []
    for index, file in enumerate(files, start=1):
        label = getattr(file, "name", "") or _("file %(n)d") % {"n": index}
        size = getattr(file, "size", None)
        try:
            if size is not None and size > limit:
                raise too_large(limit)  # refused before reading it
            if hasattr(file, "seek"):
                file.seek(0)
            data = file.read(limit + 1)
            checked.append(check_evidence(data, max_bytes=limit))
        except EvidenceError as refused:
            errors.append(
                ValidationError(
                    _("%(file)s: %(reason)s") % {"file": label, "reason": refused.message},
                    code=refused.code,
                )
            )
    return checked, errors
