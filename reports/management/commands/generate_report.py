"""``manage.py generate_report --scope 420000 --period 2026-Q3 --output report.pdf``

Builds (or finds, when the data has not changed) the report of the scope and period, archives it
like a back-office request, writes the PDF to ``--output`` and prints, as its last line, the
path and the PDF's SHA-256. A bad scope or period exits with status 1 and one line saying why.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import RequestedVia
from reports.periods import BadParameter
from reports.services import report_build, report_request


class Command(BaseCommand):
    help = "Generate a performance-evaluation report PDF of a region and period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scope", required=True, help="Region code, e.g. 420000 (Hubei), 420100, 420111."
        )
        parser.add_argument(
            "--period", required=True, help="YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (e.g. 2026-Q3)."
        )
        parser.add_argument("--output", required=True, help="Where to write the PDF.")
        parser.add_argument(
            "--base-url",
            default="",
            help="The portal's address for the QR code (default REPORT_VERIFY_BASE_URL).",
        )

    def handle(self, *args, scope: str, period: str, output: str, base_url: str, **options):
        try:
            # Built here, not by a worker: the command waits for its PDF.
            report = report_request(
                scope_code=scope, period_code=period, via=RequestedVia.COMMAND, background=False
            )
        except BadParameter as error:
            raise CommandError(str(error)) from error
        report = report_build(report_id=report.pk, base_url=base_url)
        target = Path(output)
        with report.file.open("rb") as source:
            target.write_bytes(source.read())
        self.stdout.write(f"{target} {report.checksum}")
