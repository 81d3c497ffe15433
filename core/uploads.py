"""Uploads that must never reach the disk in clear (spreadsheets holding identities)."""

from __future__ import annotations

from io import BytesIO

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers
from django.utils.translation import gettext_lazy as _


class InMemoryUploadHandler(FileUploadHandler):
    """Keeps uploads in memory up to ``max_bytes`` in all, never in a temporary file.

    Django's default handlers write uploads over 2.5 MB to a temporary file; a spreadsheet of
    needs or of a publicity list holds names and ID numbers, which must never reach the disk.
    A larger upload is dropped (``too_large``) and the form says so.
    """

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_large = False
        self.file = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            self.file.close()
            self.file = BytesIO()  # the parser closes it after skipping
            raise SkipFile()
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.file is None or self.too_large:
            return None
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class InMemoryUploadForm(forms.Form):
    """A form with a ``file`` field whose upload ``InMemoryUploadHandler`` may have dropped as
    too large (pass ``too_large=handler.too_large``): it then says so, not "required"."""

    too_large_message = _("The file is larger than 5 MB.")

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self):
        cleaned = super().clean()
        if self.too_large:
            # The upload handler dropped the file, so the field only reports "required".
            self.errors.pop("file", None)
            self.add_error("file", self.too_large_message)
        return cleaned
