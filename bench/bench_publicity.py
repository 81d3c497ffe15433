"""Import of a recipient publicity list (issue 12): reading, masking and publishing, per row.

Builds an .xlsx and a GB18030 .csv of ``--rows`` made-up recipients (``cms.publicity.demo``),
then measures in this process:

* ``read``: ``read_table`` alone (the baseline: openpyxl or csv);
* ``mask``: ``read_table`` + ``mask_table`` (the masking and every leak check);
* ``publish``: read, mask and the whole ``publicity_list_create`` (rows, revision, publish) on
  the database of ``DATABASE_URL`` (PostgreSQL for figures), in a transaction rolled back
  afterwards;
* ``store``: ``publicity_list_create`` alone, of the list already masked (what the database
  part costs), with the number of queries it makes.

Prints rows per second and the ratio of each step to ``read``. Figures: bench/README.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_publicity \\
        .venv/bin/python bench/bench_publicity.py --rows 2000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from cms.models import HomePage  # noqa: E402
from cms.publicity.demo import demo_spreadsheet  # noqa: E402
from cms.publicity.masking import mask_table  # noqa: E402
from cms.publicity.services import publicity_list_create  # noqa: E402
from cms.publicity.spreadsheet import read_table  # noqa: E402
from tests.cms.publicity.sheets import csv_bytes  # noqa: E402


def _timed(function, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


class _Rollback(Exception):
    """Raised inside the timed transaction so that what the run created is rolled back."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    xlsx = demo_spreadsheet(seed=1, rows=args.rows, region_code="420111", first_month=date(2026, 12, 1))
    sheet = load_workbook(__import__("io").BytesIO(xlsx), read_only=True).worksheets[0]
    lines = [
        [("" if value is None else str(value)) for value in row] for row in sheet.iter_rows(values_only=True)
    ]
    csv = csv_bytes(lines[2:], headers=lines[1], encoding="gb18030")
    masked = mask_table(read_table(xlsx))
    assert masked.ok, masked.summary()

    queries = []

    def publish(masked=None) -> None:
        connection.queries_log.clear()  # the log keeps 9,000 queries: count this run's only
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as captured:
                publicity_list_create(
                    masked=masked or mask_table(read_table(xlsx)),
                    title="基准测试名单",
                    programme="dibao",
                    region_code="420111",
                    period_start=date(2026, 12, 1),
                    period_end=date(2026, 12, 7),
                    objection_phone="027-87654321",
                    objection_address="洪山区民政局",
                    parent=HomePage.objects.get(),
                )
                queries.append(len(captured))
                raise _Rollback
        except _Rollback:
            pass  # the rollback is the point: nothing the run made stays

    print(f"{args.rows} rows, database {django.db.connection.vendor}, best of {args.repeat}")
    for name, data in (("xlsx", xlsx), ("csv", csv)):
        read = _timed(lambda data=data: read_table(data), args.repeat)
        mask = _timed(lambda data=data: mask_table(read_table(data)), args.repeat)
        print(f"{name:5} read    {read:7.3f} s  {args.rows / read:9.0f} rows/s  ratio 1.00")
        print(f"{name:5} mask    {mask:7.3f} s  {args.rows / mask:9.0f} rows/s  ratio {mask / read:.2f}")
        if name == "xlsx":
            whole = _timed(publish, args.repeat)
            print(
                f"{name:5} publish {whole:7.3f} s  {args.rows / whole:9.0f} rows/s  ratio {whole / read:.2f}"
            )
            store = _timed(lambda: publish(masked), args.repeat)
            print(
                f"{name:5} store   {store:7.3f} s  {args.rows / store:9.0f} rows/s  ratio {store / read:.2f}"
                f"  {queries[-1]} queries"
            )


if __name__ == "__main__":
    main()
