"""``manage.py import_publicity_list FILE --title … --programme dibao --region 420111 --start … --end …``

Reads an .xlsx or .csv list, masks it (``cms.publicity.masking``), creates the page under the
notices section, publishes it and prints its public URL as the last line. An unreadable file,
a row that cannot be masked (named by its number, never its value) or any other refusal exits
non-zero and creates nothing. The file is read into memory and never copied.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cms.models.publicity import Programme
from cms.publicity.masking import mask_table
from cms.publicity.services import publicity_list_create
from cms.publicity.spreadsheet import MAX_UPLOAD_BYTES, read_table
from core.errors import DomainError
from core.spreadsheets import SpreadsheetError
from regions.models import Region


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Import a recipient publicity list (.xlsx or .csv), mask it, publish it, print its URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .xlsx or .csv file exported by the programme's system.")
        parser.add_argument("--title", required=True)
        parser.add_argument("--programme", required=True, choices=Programme.values)
        parser.add_argument("--region", required=True, help="The region code, e.g. 420111.")
        parser.add_argument("--start", required=True, type=_date, help="First day of the period, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, type=_date, help="Last day of the period, YYYY-MM-DD.")
        parser.add_argument(
            "--objection-phone", default="", help="Phone for objections (default: SERVICE_HOTLINE)."
        )
        parser.add_argument(
            "--objection-address", default="", help="Address for objections (default: the region's 民政局)."
        )

    def handle(self, *args, **options) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"Unknown region code: {options['region']}")
        if options["end"] < options["start"]:
            raise CommandError("--end is before --start.")
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_UPLOAD_BYTES:
                raise CommandError(f"{path}: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from None
        try:
            masked = mask_table(read_table(data))
        except SpreadsheetError as exc:
            raise CommandError(f"{path}: {exc.message}") from None
        del data
        try:
            page = publicity_list_create(
                masked=masked,
                title=options["title"],
                programme=options["programme"],
                region_code=region.code,
                period_start=options["start"],
                period_end=options["end"],
                objection_phone=options["objection_phone"] or settings.SERVICE_HOTLINE,
                objection_address=options["objection_address"] or f"{region.name}民政局",
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        summary = masked.summary()
        self.stdout.write(f"rows: {summary['rows']}")
        if summary["dropped_columns"]:
            self.stdout.write(f"not published: {'、'.join(summary['dropped_columns'])}")
        if summary["ignored_columns"]:
            self.stdout.write(f"ignored columns: {'、'.join(summary['ignored_columns'])}")
        if summary["skipped_rows"]:
            self.stdout.write(f"skipped rows without a name: {', '.join(map(str, summary['skipped_rows']))}")
        self.stdout.write(page.full_url)
