"""A publicity list's rows are written in bulk: creating and publishing a list costs as many
queries with 400 recipients as with 40, and the rows a reader sees follow the published revision
(a new import waits in a draft, publishing it replaces the rows, publishing an older revision
brings its rows back), masked in the page and in every revision."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Revision

from cms.models import PublicityListRow
from cms.publicity.demo import demo_spreadsheet
from cms.publicity.masking import mask_table
from cms.publicity.services import publicity_list_create, publicity_list_rows_replace
from cms.publicity.spreadsheet import read_table

pytestmark = pytest.mark.django_db


def _masked(rows: int, seed: int = 1):
    sheet = demo_spreadsheet(seed=seed, rows=rows, region_code="420111", first_month=date(2026, 12, 1))
    masked = mask_table(read_table(sheet))
    assert masked.ok
    return masked


def _create(parent, masked, slug_day: int = 1):
    return publicity_list_create(
        masked=masked,
        title="洪山区低保对象公示",
        programme="dibao",
        region_code="420111",
        period_start=date(2026, 12, slug_day),
        period_end=date(2099, 12, 20),
        objection_phone="027-87654321",
        objection_address="洪山区民政局",
        parent=parent,
    )


def _batches(rows: int) -> int:
    """The INSERT statements ``bulk_create`` needs for ``rows`` rows here: one on PostgreSQL;
    on SQLite as many as its cap on a statement's parameters calls for."""
    fields = [field for field in PublicityListRow._meta.concrete_fields if not field.primary_key]
    size = min(1000, connection.ops.bulk_batch_size(fields, [None] * rows))
    return -(-rows // size)


def test_a_list_of_400_rows_costs_the_queries_of_a_list_of_40(notices_section):
    small, large = _masked(40), _masked(400, seed=2)
    # Both measured lists are then later siblings under a warm cache (content types): the first
    # page under a parent and a later one differ by Wagtail's tree queries, not by their rows.
    _create(notices_section, _masked(5, seed=3), slug_day=3)

    with CaptureQueriesContext(connection) as few:
        _create(notices_section, small, slug_day=1)
    with CaptureQueriesContext(connection) as many:
        page = _create(notices_section, large, slug_day=2)

    # The rows are written twice, when the list is made and when it is published.
    assert len(many) <= len(few) + 2 * (_batches(400) - _batches(40))
    assert page.live and page.rows.count() == 400
    assert list(page.rows.values_list("sort_order", flat=True)) == list(range(400))


def test_rows_follow_the_published_revision_and_stay_masked(notices_section, client):
    first, second = _masked(30), _masked(12, seed=2)
    page = _create(notices_section, first)
    published = page.get_latest_revision()

    publicity_list_rows_replace(page=page, masked=second).publish()
    assert PublicityListRow.objects.filter(page=page).count() == 12
    html = client.get(page.url).content.decode()
    assert all(row.name in html for row in second.rows)

    published.publish()
    stored = PublicityListRow.objects.filter(page=page).order_by("sort_order")
    assert [r.masked_name for r in stored] == [row.name for row in first.rows]
    for revision in Revision.objects.filter(object_id=str(page.pk)):
        assert all("*" in r["masked_name"] for r in revision.content["rows"])
    assert PublicityListRow.objects.count() == 30
