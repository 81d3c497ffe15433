"""Reading uploaded spreadsheets safely, for every app that imports one (needs, publicity lists).

Nothing here puts a cell's value into an error message: callers show and log these messages.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _

# An .xlsx is a zip: refuse one whose parts would inflate beyond this (a zip bomb).
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; ``message`` says why, for the person uploading it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_xlsx(data: bytes) -> bool:
    """Whether ``data`` starts like a zip, as every .xlsx file does (by content, not by name)."""
    return data.startswith(b"PK\x03\x04")


def check_xlsx(data: bytes) -> None:
    """Raise ``SpreadsheetError`` unless ``data`` is an .xlsx workbook that inflates to a sane size."""
    if not is_xlsx(data):
        raise SpreadsheetError(_("This is not an Excel (.xlsx) file."))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise SpreadsheetError(_("This is not an Excel (.xlsx) file.")) from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetError(_("This is not an Excel (.xlsx) file."))
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(_("The file is too large once unpacked."))


def cell_text(value: Any) -> str:
    """A cell's value as the text a person typed (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()
