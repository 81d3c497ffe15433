"""/stats/: tickets by city, month and kind, rates and the marketplace's figures, every cell
suppressed; the CSV holds exactly the page's table; panels of other apps follow."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from core.suppression import recoverable, suppress
from supervision.hooks import stats_page_panels
from tests.supervision.open311_helpers import EMAIL, NAME, PHONE, make_ticket

pytestmark = pytest.mark.django_db


class _Tables(HTMLParser):
    """The cells of each ``table.stats-table`` by its data-table key, as rows of text."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "stats-table" in attrs.get("class", ""):
            self._table = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _page_tables(client) -> dict[str, list[list[str]]]:
    response = client.get("/stats/")
    assert response.status_code == 200
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


@pytest.fixture
def tickets():
    now = timezone.now()
    # Wuhan (Hongshan): 12 complaints, 3 enquiries; Xiangyang: 2 complaints; Yichang: 7 enquiries.
    for _ in range(12):
        make_ticket(
            kind="complaint",
            region="420111",
            submitted_at=now - timedelta(days=3),
            accepted_at=now - timedelta(days=3),
            closed_at=now - timedelta(days=1),
            status="closed",
            rating="satisfied",
            reply="已处理",
        )
    for _ in range(3):
        make_ticket(kind="enquiry", region="420111", submitted_at=now - timedelta(days=3))
    for _ in range(2):
        make_ticket(kind="complaint", region="420600", submitted_at=now - timedelta(days=3))
    for _ in range(7):
        make_ticket(kind="enquiry", region="420500", submitted_at=now - timedelta(days=3))
    make_ticket(
        kind="report",
        region="420111",
        subtype="fraud",
        confidential=True,
        content=f"{NAME}骗取低保，电话{PHONE}，邮箱{EMAIL}",
    )


def test_counts_under_five_are_hidden_and_cannot_be_worked_out(client, tickets):
    rows = _page_tables(client)["kind-city"]
    header, table = rows[0][1:], {row[0]: row[1:] for row in rows[1:]}
    complaint, enquiry, report = header.index("投诉"), header.index("咨询"), header.index("举报")
    assert table["襄阳市"][complaint] == "*"  # 2 complaints
    assert table["武汉市"][enquiry] == "*"  # 3 enquiries
    assert table["武汉市"][report] == "*"  # 1 report
    # The page is exactly the suppressed table of the true counts (so none can be worked out).
    truth = {
        ("武汉市", "complaint"): 12,
        ("武汉市", "enquiry"): 3,
        ("武汉市", "report"): 1,
        ("襄阳市", "complaint"): 2,
        ("宜昌市", "enquiry"): 7,
    }
    kinds = {"投诉": "complaint", "咨询": "enquiry", "举报": "report"}
    cities = [row[0] for row in rows[1:-1]]
    codes = [kinds.get(name, name) for name in header[:-1]]
    expected = suppress(truth, rows=cities, cols=codes)
    assert recoverable(expected) == set()
    for city in cities:
        shown = [None if cell == "*" else int(cell) for cell in table[city]]
        assert shown == [*(expected.cell(city, code) for code in codes), expected.row_total(city)], city
    totals = [None if cell == "*" else int(cell) for cell in table["合计"]]
    assert totals == [*expected.col_totals(), expected.grand_total]


def test_the_csv_is_the_page_table_suppressed_the_same_way(client, tickets):
    tables = _page_tables(client)
    for key in ("kind-city", "kind-month", "rates", "needs"):
        response = client.get(f"/stats/{key}.csv")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8-sig")
        assert list(csv.reader(io.StringIO(text))) == tables[key], key
    assert client.get("/stats/nothing.csv").status_code == 404


def test_rates_show_only_over_enough_tickets(client, tickets):
    rates = {row[0]: row[1:] for row in _page_tables(client)["rates"]}
    assert rates["投诉"][1] == "100%"  # 12 closed on time
    assert rates["投诉"][2] == "100%"  # 12 satisfied
    assert rates["咨询"] == ["*", "*", "*"]  # none accepted, closed or rated


def test_kinds_not_public_in_statistics_are_left_out(client, tickets):
    from supervision.models import TicketKind

    TicketKind.objects.filter(code="enquiry").update(public_in_statistics=False)
    header = _page_tables(client)["kind-city"][0]
    assert "咨询" not in header and "投诉" in header


def test_no_contact_detail_or_confidential_text_on_the_page_or_csv(client, tickets):
    bodies = [client.get("/stats/").content.decode()]
    bodies += [client.get(f"/stats/{key}.csv").content.decode("utf-8-sig") for key in ("kind-city", "needs")]
    for body in bodies:
        for secret in (PHONE, EMAIL, NAME, "骗取低保"):
            assert secret not in body


def test_panels_of_other_apps_follow_the_tables(client, tickets, tmp_path, settings):
    template_dir = tmp_path / "templates"
    (template_dir / "panel").mkdir(parents=True)
    (template_dir / "panel" / "p.html").write_text('<section id="the-panel">{{ words }}</section>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}]

    def panel(request):
        return "panel/p.html", {"words": "绩效评价摘要"}

    stats_page_panels.connect(panel)
    try:
        body = client.get("/stats/").content.decode()
    finally:
        stats_page_panels._receivers.remove(panel)
    assert '<section id="the-panel">绩效评价摘要</section>' in body
    assert body.index("the-panel") > body.index('data-table="needs"')


def test_the_page_reads_well_on_a_phone(client, tickets):
    body = client.get("/stats/").content.decode()
    # Wide tables scroll inside their own focusable region instead of widening the page.
    assert body.count('class="stats-scroll" role="region"') == 4
    assert 'tabindex="0"' in body
