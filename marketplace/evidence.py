"""Evidence files of a delivery (交付凭证), checked by their content, never by name.

Pure functions over bytes: no database, no storage. ``check_evidence`` decides what a file
*is* from its first bytes (JPEG, PNG, WebP or PDF, nothing else), whatever its name or the
content type the browser claimed, and returns the bytes to store:

* images are decoded by Pillow and **re-encoded** from their pixels alone, so EXIF (GPS
  position, camera serial, time), XMP, ICC profiles, comments and anything appended after the
  image (a ZIP glued to a JPEG) are gone; the EXIF orientation is applied first, so a photo
  taken upright stays upright;
* PDFs must start with ``%PDF-`` and end with ``%%EOF`` (within the last 1,024 bytes); bytes
  after the last ``%%EOF`` are cut, and PDFs with embedded scripts or launch actions refused.
  PDFs are not rewritten (that needs a PDF library), so the evidence view always serves them
  as downloads (``Content-Disposition: attachment``), never inline.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILES = 5
# Photos from phones are 12–50 megapixels; beyond this, decoding costs too much memory.
MAX_PIXELS = 60_000_000
PDF_EOF_WINDOW = 1024
JPEG_QUALITY = 88

JPEG, PNG, WEBP, PDF = "jpeg", "png", "webp", "pdf"
KINDS = {
    # kind: (content type, extension, Pillow format)
    JPEG: ("image/jpeg", "jpg", "JPEG"),
    PNG: ("image/png", "png", "PNG"),
    WEBP: ("image/webp", "webp", "WEBP"),
    PDF: ("application/pdf", "pdf", None),
}
IMAGE_KINDS = frozenset({JPEG, PNG, WEBP})
# Active content in a PDF: refused, since the evidence is opened by caseworkers' PDF readers.
# Long names only: a short one ("/JS") turns up by chance in the compressed streams of large files,
# and a JavaScript action names its type ("/S /JavaScript") anyway.
PDF_ACTIVE_CONTENT = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")


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
    JPEG, PNG, WebP or PDF by content), ``corrupt_image``, ``image_too_large`` (pixels),
    ``corrupt_pdf`` or ``pdf_active_content``.
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


def _reencode_image(data: bytes, kind: str) -> bytes:
    """Decode, verify and re-encode an image from its pixels only (no metadata survives)."""
    expected_format = KINDS[kind][2]
    corrupt = EvidenceError("corrupt_image", _("The image cannot be read; it may be damaged."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format != expected_format:
                    raise corrupt
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise EvidenceError(
                        "image_too_large", _("The image has too many pixels; please send a smaller photo.")
                    )
                probe.verify()
            # verify() leaves the image unusable: open it again to decode the pixels.
            with Image.open(BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                pixels = _normalized_mode(upright, kind)
    except EvidenceError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        raise corrupt from None
    # A fresh image holds the pixels and nothing else: no info dict, no EXIF, no comment.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = BytesIO()
    if kind == JPEG:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind == PNG:
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def _normalized_mode(image: Image.Image, kind: str) -> Image.Image:
    """The image in a mode its format can store without a palette or profile."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == JPEG:
        return image.convert("L") if image.mode in ("1", "L") else image.convert("RGB")
    if image.mode == "L" and not has_alpha:
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


def _clean_pdf(data: bytes) -> bytes:
    """A PDF with its header and end marker, cut after the last ``%%EOF``."""
    corrupt = EvidenceError("corrupt_pdf", _("The PDF document is incomplete or damaged."))
    end = data.rfind(b"%%EOF")
    if end == -1 or end < len(data) - PDF_EOF_WINDOW:
        raise corrupt
    if PDF_ACTIVE_CONTENT.search(data):
        raise EvidenceError(
            "pdf_active_content",
            _("PDF documents with scripts or attachments are not accepted; please print it to PDF again."),
        )
    cut = end + len(b"%%EOF")
    # Keep the end-of-line after the marker; drop whatever was appended after it.
    if data[cut : cut + 2] == b"\r\n":
        cut += 2
    elif data[cut : cut + 1] in (b"\n", b"\r"):
        cut += 1
    return data[:cut]
