"""What readers see of the notices: the index with its filters, a notice, its feed, the home
page's figures, the medical rules read from the engine, the hotline directory, the sitemap."""

from __future__ import annotations

from datetime import date

import pytest
from defusedxml import ElementTree as ET
from django.core.cache import cache
from django.core.exceptions import ValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

from cms.blocks import AttachmentBlock, CalloutBlock, HeadingBlock, ImageBlock, NoticeTableBlock
from cms.models import HotlineEntry, NoticeType, PolicyRulesPage
from cms.selectors import notice_search_document, notice_search_documents
from tests.cms.notice_helpers import PDF_BYTES, document, index, notice, office_file, section

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
CONTRACT_KEYS = {
    "id", "kind", "title", "body", "notice_type", "notice_type_label",
    "region", "region_name", "date", "year", "url",
}  # fmt: skip


@pytest.fixture
def notices():
    wuhan = section("420100", "武汉市", "wuhan")
    yichang = section("420500", "宜昌市", "yichang")
    policy = notice(
        index(),
        title="低收入人口动态监测实施意见",
        slug="policy",
        notice_type=NoticeType.POLICY,
        document_number="鄂民政发〔2024〕21号",
        day=date(2024, 9, 6),
        body=[
            ("heading", {"text": "一、总体要求", "level": "h2"}),
            ("paragraph", "<p>兜住兜准兜好基本民生底线。</p>"),
        ],
    )
    news_wuhan = notice(wuhan, title="武汉动态", slug="wuhan-news", region="420111", day=date(2026, 3, 2))
    news_yichang = notice(
        yichang, title="宜昌动态", slug="yichang-news", region="420500", day=date(2026, 4, 2)
    )
    return {"policy": policy, "wuhan": news_wuhan, "yichang": news_yichang}


def _titles(html: str) -> list[str]:
    return [part.split(">", 1)[1].split("<", 1)[0] for part in html.split('class="notice-item__title"')[1:]]


def test_the_search_document_is_exactly_the_contract(notices):
    document = notices["policy"].search_document()

    assert set(document) == CONTRACT_KEYS
    assert document == {
        "id": str(notices["policy"].pk),
        "kind": "notice",
        "title": "低收入人口动态监测实施意见",
        "body": "鄂民政发〔2024〕21号\n一、总体要求\n兜住兜准兜好基本民生底线。",
        "notice_type": "policy",
        "notice_type_label": "政策文件",
        "region": "420000",
        "region_name": "湖北省",
        "date": "2024-09-06",
        "year": 2024,
        "url": "/notices/policy/",
    }
    assert notice_search_document(notices["wuhan"].pk)["region_name"] == "洪山区"
    assert {d["title"] for d in notice_search_documents()} == {
        "低收入人口动态监测实施意见",
        "武汉动态",
        "宜昌动态",
    }
    notices["yichang"].unpublish()
    assert notice_search_document(notices["yichang"].pk) is None


def test_the_index_lists_newest_first_and_filters_by_type_region_and_year(client, notices):
    assert _titles(client.get("/notices/").content.decode()) == [
        "宜昌动态",
        "武汉动态",
        "低收入人口动态监测实施意见",
    ]
    assert _titles(client.get("/notices/?type=policy").content.decode()) == ["低收入人口动态监测实施意见"]
    assert _titles(client.get("/notices/?city=420100").content.decode()) == ["武汉动态"]
    html = client.get("/notices/?city=420100&county=420111").content.decode()
    assert _titles(html) == ["武汉动态"]
    assert '<option value="420111" selected>洪山区</option>' in html
    assert _titles(client.get("/notices/?city=420100&county=420102").content.decode()) == []
    assert _titles(client.get("/notices/?year=2024").content.decode()) == ["低收入人口动态监测实施意见"]
    assert "没有符合条件的公告" in client.get("/notices/?type=interpretation").content.decode()
    # A city's section lists its own notices only.
    assert _titles(client.get("/notices/wuhan/").content.decode()) == ["武汉动态"]


def test_the_index_is_paginated(client, notices):
    for number in range(21):
        notice(index(), title=f"动态{number:02d}", slug=f"bulk-{number}", day=date(2025, 1, 1 + number))
    first = client.get("/notices/").content.decode()
    second = client.get("/notices/?page=2").content.decode()

    assert len(_titles(first)) == 20
    assert "第 1 页，共 2 页" in first and 'rel="next" href="?page=2"' in first
    assert len(_titles(second)) == 4
    assert client.get("/notices/?page=99").status_code == 200


def test_the_atom_feed_parses_and_filters_by_type(client, notices):
    response = client.get("/notices/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "宜昌动态",
        "武汉动态",
        "低收入人口动态监测实施意见",
    ]
    assert entries[2].find(f"{ATOM}link").get("href").endswith("/notices/policy/")

    policy_feed = ET.fromstring(client.get("/notices/feed/?type=policy").content)
    assert [e.findtext(f"{ATOM}title") for e in policy_feed.findall(f"{ATOM}entry")] == [
        "低收入人口动态监测实施意见"
    ]
    assert "政策文件" in policy_feed.findtext(f"{ATOM}title")


def test_a_notice_page_shows_its_facts_body_meta_and_interpretations(client, notices):
    reading = notice(
        index(),
        title="一图读懂",
        slug="reading",
        notice_type=NoticeType.INTERPRETATION,
        interprets=notices["policy"],
    )
    html = client.get("/notices/policy/").content.decode()

    assert "鄂民政发〔2024〕21号" in html and "2024年9月6日" in html
    assert '<h2 class="notice-body__h2">一、总体要求</h2>' in html
    assert '<link rel="canonical" href="http://localhost/notices/policy/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="description" content="一、总体要求 兜住兜准兜好基本民生底线。">' in html
    assert 'href="/notices/reading/">一图读懂</a>' in html
    assert "css/notices.css" in html
    reading_html = client.get(reading.url).content.decode()
    assert "本解读所解读的文件" in reading_html and 'href="/notices/policy/"' in reading_html


def test_blocks_refuse_what_editors_must_fix():
    with pytest.raises(StructBlockValidationError):
        HeadingBlock().clean({"text": "  ", "level": "h2"})
    with pytest.raises(StructBlockValidationError):
        CalloutBlock().clean({"kind": "info", "title": "", "text": "长" * 501})
    with pytest.raises(ValidationError, match="标题"):
        NoticeTableBlock().clean(
            {"data": [["类别", "比例"], ["低保", "70%"]], "table_header_choice": "row", "table_caption": ""}
        )
    with pytest.raises(ValidationError, match="为空"):
        NoticeTableBlock().clean({"data": [["", ""]], "table_header_choice": "row", "table_caption": "比例"})
    assert ImageBlock.base_blocks["alt"].required


@pytest.mark.parametrize(
    ("filename", "content", "accepted"),
    [
        ("a.pdf", PDF_BYTES, True),
        ("a.docx", office_file("docx"), True),
        ("a.xlsx", office_file("xlsx"), True),
        ("a.pdf", b"MZ\x90\x00 not a pdf", False),  # a program named .pdf
        ("a.docx", office_file("xlsx"), False),  # a workbook named .docx
        ("a.xlsx", b"PK\x03\x04broken zip", False),
        ("a.csv", b"name,phone\n", False),
    ],
)
def test_attachments_are_pdf_docx_or_xlsx_by_their_content(filename, content, accepted):
    block = AttachmentBlock()
    value = block.to_python({"document": document(filename, content).pk, "title": ""})
    if accepted:
        assert block.clean(value)["document"].file.name.endswith(filename.rsplit(".", 1)[1])
    else:
        with pytest.raises(StructBlockValidationError):
            block.clean(value)


def test_the_home_page_shows_key_figures_and_latest_notices_cached_for_a_minute(client, notices, monkeypatch):
    cache.clear()
    calls = []
    import cms.models.home as home

    def figures(*, year):
        calls.append(year)
        return {"published": 1234, "claimed": 56, "fulfilled": 7}

    monkeypatch.setattr(home, "need_year_figures", figures)
    first = client.get("/").content.decode()
    client.get("/")

    assert ">1234<" in first and "条需求已发布" in first and "家组织已认证" in first
    assert len(calls) == 1  # the second request read the cache
    assert "最新公告" in first
    assert first.index("宜昌动态") < first.index("武汉动态") < first.index("低收入人口动态监测实施意见")


def test_the_rules_page_reads_the_policy_engine(client):
    page = PolicyRulesPage(title="医疗救助政策", slug="rules")
    index().add_child(instance=page)
    page.save_revision().publish()

    html = client.get("/notices/rules/").content.decode()

    assert "特困人员</th><td>100%</td>" in html
    assert "低保对象</th><td>不低于70%</td>" in html
    assert "因病致贫重病患者</th><td>不低于50%</td>" in html
    assert "就高原则" in html
    assert "鄂民政发〔2024〕21号" in html


def test_the_hotline_directory_lists_each_city_and_links_to_a_complaint(client):
    HotlineEntry.objects.create(
        region_id="420000", name="社会救助服务热线", number="12345", service_hours="24小时"
    )
    HotlineEntry.objects.create(
        region_id="420500", name="宜昌市民政热线", number="0717-6222222", service_hours="工作日"
    )
    html = client.get("/hotline/").content.decode()

    assert 'href="tel:07176222222">0717-6222222</a>' in html
    assert '<h2 id="hotline-420500">宜昌市</h2>' in html
    assert 'href="/complaints/new/"' in html
    entry = HotlineEntry(region_id="420100", name="x", number="12 345", service_hours="24小时")
    with pytest.raises(ValidationError, match="数字"):
        entry.full_clean()


def test_the_sitemap_lists_the_live_notices(client, notices):
    notices["yichang"].unpublish()
    body = client.get("/sitemap.xml").content.decode()

    assert "/notices/policy/" in body and "/notices/wuhan/wuhan-news/" in body
    assert "yichang-news" not in body
