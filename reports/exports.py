"""The KPI tables of a report as .xlsx (openpyxl) and .csv, from the report's stored data: the
figures with their comparisons, and each breakdown (category, need type, department, region).

Numbers stay numbers (rates in percent, money in yuan); a figure whose source is not connected
is the text 数据来源尚未接入, never 0; text cells are made safe from formula injection.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.formatting import spreadsheet_safe
from reports.kpis import NOT_LANDED


def _number(value):
    return None if value is None else Decimal(str(value))


def _cell(value, landed=True):
    if not landed:
        return str(NOT_LANDED)
    return _number(value) if isinstance(value, (str, int, float, Decimal)) and value != "" else value


def tables(data: dict) -> list[tuple[str, list[list]]]:
    """[(table name, rows)], the first row of each the header."""
    figures = [
        [
            _("Figure"),
            _("Unit"),
            _("This period"),
            _("Previous period"),
            _("Change"),
            _("Same period last year"),
            _("Change"),
            _("Estimate"),
        ],
    ]
    for row in data["figures"]:
        landed = row["landed"]
        figures.append(
            [
                row["label"],
                row["unit"],
                _cell(row["value"], landed),
                _cell(row["previous"], landed),
                _cell(row["change_previous"], landed),
                _cell(row["year_earlier"], landed),
                _cell(row["change_year"], landed),
                _("yes") if row["estimate"] else "",
            ]
        )
    result = [(_("Key figures"), figures)]
    labels = {row["key"]: row["label"] for row in data["figures"]}
    keys = [row["key"] for row in data["figures"]]
    for breakdown in data["breakdowns"]:
        rows = [[breakdown["label"], *[labels[key] for key in keys]]]
        for row in breakdown["rows"]:
            rows.append([row["label"], *[_cell(row["values"][key], row["landed"][key]) for key in keys]])
        result.append((breakdown["label"], rows))
    if data["regions"]:
        region_keys = ["needs_published", "claims_made", "claim_rate", "charity_money", "on_time_delivery"]
        rows = [[_("Rank"), _("Region code"), _("Region"), *[labels[key] for key in region_keys]]]
        for row in data["regions"]:
            rows.append([row["rank"], row["code"], row["name"], *[_cell(row[key]) for key in region_keys]])
        result.append((_("Region ranking"), rows))
    return result


def as_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in tables(data):
        sheet = workbook.create_sheet(title=name[:31])
        for row in rows:
            sheet.append([spreadsheet_safe(value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_csv(data: dict) -> str:
    """All tables one after another, each headed by its name, a blank line between them; with
    a byte-order mark so that spreadsheet programs read the Chinese as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for index, (name, rows) in enumerate(tables(data)):
        if index:
            writer.writerow([])
        writer.writerow([spreadsheet_safe(name)])
        for row in rows:
            writer.writerow([spreadsheet_safe(value) if isinstance(value, str) else value for value in row])
    return buffer.getvalue()
