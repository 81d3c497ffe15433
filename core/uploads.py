"""Uploads that must never reach the disk in clear (spreadsheets holding identities)."""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers


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
