"""Demo notices for `make run`: the sections of the 17 cities (and 洪山区, the demo caseworker's
county), the seed policy itself as a policy document with one interpretation, work news, the
medical-assistance rules page and the hotline directory. Idempotent: what exists is kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import Workbook
from wagtail.documents import get_document_model
from wagtail.models import Page

from cms.models import (
    HotlineEntry,
    NoticeIndexPage,
    NoticePage,
    NoticeSectionPage,
    NoticeType,
    PolicyRulesPage,
)
from marketplace.needs.selectors import medical_rules_in_force
from regions.models import Region

# The seed policy as published (a public document), extracted from its PDF one printed line per line.
SEED_POLICY = Path(__file__).resolve().parent / "demo_data" / "policy-2024-21.txt"
POLICY_NUMBER = "鄂民政发〔2024〕21号"
POLICY_TITLE = "关于印发《关于加强低收入人口动态监测做好分层分类社会救助工作的实施意见》的通知"
POLICY_BODIES = (
    "湖北省民政厅、湖北省教育厅、湖北省财政厅、湖北省人力资源和社会保障厅、湖北省住房和城乡建设厅、"
    "湖北省农业农村厅、湖北省卫生健康委员会、湖北省应急管理厅、湖北省医疗保障局、湖北省数据局、"
    "湖北省残疾人联合会、湖北省总工会、湖北省妇女联合会、共青团湖北省委员会"
)
DEMO_NOTE = "演示数据：号码为全国统一的12345政务服务便民热线，各地专线以当地公布为准。"
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
NEW_PARAGRAPH = re.compile(r"^(（[一二三四五六七八九十]+）|\d+．|为贯彻落实)")


@dataclass
class DemoNotices:
    sections: int = 0
    notices: list[str] = field(default_factory=list)
    hotlines: int = 0


def seed_demo_notices() -> DemoNotices:
    index = NoticeIndexPage.objects.first()
    if index is None:
        return DemoNotices()
    result = DemoNotices()
    sections = _sections(index, result)
    policy = _policy_document(index, result)
    _interpretation(index, policy, result)
    _news(sections, result)
    _rules_page(index)
    _hotlines(result)
    return result


def _publish(parent: Page, page: Page) -> Page:
    existing = Page.objects.child_of(parent).filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _sections(index: NoticeIndexPage, result: DemoNotices) -> dict[str, NoticeSectionPage]:
    sections = {}
    for city in Region.objects.city_level():
        existing = NoticeSectionPage.objects.filter(region=city).first()
        if existing is None:
            result.sections += 1
        sections[city.code] = existing or _publish(
            index, NoticeSectionPage(title=city.name, slug=city.pinyin, region=city)
        )
    hongshan = Region.objects.get(pk="420111")
    existing = NoticeSectionPage.objects.filter(region=hongshan).first()
    if existing is None:
        result.sections += 1
    sections[hongshan.code] = existing or _publish(
        sections["420100"], NoticeSectionPage(title=hongshan.name, slug=hongshan.pinyin, region=hongshan)
    )
    return sections


def seed_policy_blocks(text: str) -> list[tuple[str, object]]:
    """The seed policy's opinions as body blocks: headings (一、…) and paragraphs ((一)…, 1．…).

    The text was extracted from a PDF, one printed line per line: lines are joined back into
    paragraphs, which start at the numbered items.
    """
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("为贯彻落实"))
    blocks: list[tuple[str, object]] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            words = "".join(paragraph)
            blocks.append(("paragraph", f"<p>{words}</p>"))
            paragraph.clear()

    for line in lines[start:]:
        if not line or line.endswith("印发"):
            continue
        if HEADING.match(line) and len(line) <= 20:
            flush()
            blocks.append(("heading", {"text": line, "level": "h2"}))
        elif NEW_PARAGRAPH.match(line):
            flush()
            paragraph.append(line)
        else:
            paragraph.append(line)
    flush()
    return blocks


def _rules_workbook() -> bytes:
    """附件: the medical-assistance shares by category, from the policy engine (an .xlsx)."""
    rules = medical_rules_in_force(day=timezone.localdate())
    book = Workbook()
    sheet = book.active
    sheet.title = "医疗救助比例"
    sheet.append(["救助对象类别", "政策范围内个人自付住院费用救助比例"])
    for row in rules["inpatient"] if rules else []:
        sheet.append([row["policy_name"], ("" if row["percent"] == "100%" else "不低于") + row["percent"]])
    if rules:
        sheet.append(["门诊慢特病（各类医疗救助对象）", "不低于" + rules["outpatient_chronic"]["percent"]])
        sheet.append(["依据", rules["source"]])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _attachment():
    Document = get_document_model()
    title = "附件：医疗救助比例一览表"
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file.save("yiliao-jiuzhu-bili.xlsx", ContentFile(_rules_workbook()), save=False)
        document.save()
    return document


def _policy_document(index: NoticeIndexPage, result: DemoNotices) -> NoticePage:
    existing = NoticePage.objects.filter(document_number=POLICY_NUMBER).first()
    if existing is not None:
        return existing
    body: list[tuple[str, object]] = [
        (
            "callout",
            {
                "kind": "info",
                "title": "印发对象",
                "text": "各市、州、县（市、区）民政局、教育局、财政局、人社局、住建局、农业农村局、"
                "卫健委、应急局、医保局、数据局、残联、总工会、妇联、共青团委。",
            },
        ),
        *seed_policy_blocks(SEED_POLICY.read_text(encoding="utf-8")),
        ("attachment", {"document": _attachment(), "title": "附件：医疗救助比例一览表"}),
    ]
    page = NoticePage(
        title=POLICY_TITLE,
        slug="eminzhengfa-2024-21",
        notice_type=NoticeType.POLICY,
        document_number=POLICY_NUMBER,
        issuing_bodies=POLICY_BODIES,
        issue_date=date(2024, 9, 6),
        region_id="420000",
        search_description="湖北省民政厅等14部门关于加强低收入人口动态监测、做好分层分类社会救助工作的实施意见。",
        body=body,
    )
    result.notices.append(page.title)
    return _publish(index, page)


def _interpretation(index: NoticeIndexPage, policy: NoticePage, result: DemoNotices) -> None:
    if NoticePage.objects.filter(interprets=policy).exists():
        return
    body = [
        ("heading", {"text": "一、哪些人属于低收入人口", "level": "h2"}),
        (
            "paragraph",
            "<p>低收入人口包括最低生活保障对象、特困人员、防止返贫监测对象、最低生活保障边缘家庭成员、"
            "刚性支出困难家庭成员（含因病致贫重病患者）和其他困难人员。</p>",
        ),
        ("heading", {"text": "二、申请一次，分类认定", "level": "h2"}),
        (
            "paragraph",
            "<p>认定部门探索“一次申请、分类审核认定”，家庭经济状况调查结果在6个月内各部门互通互认，"
            "申请转换类别时无须再次提供核对授权书。</p>",
        ),
        ("heading", {"text": "三、看病就医能报多少", "level": "h2"}),
        (
            "paragraph",
            "<p>经基本医保、大病保险报销后，政策范围内个人自付住院费用，特困人员按100%救助，"
            "低保对象不低于70%，防止返贫监测对象和低保边缘家庭成员不低于60%，因病致贫重病患者不低于50%；"
            "门诊慢特病费用不低于50%。同时属于多个类别的，按就高原则只享受其中最高的比例。</p>",
        ),
        (
            "callout",
            {
                "kind": "important",
                "title": "急难救助",
                "text": "遇到突发性、紧迫性困难，可先行小额救助，事后补充说明情况。"
                "请拨打社会救助服务热线求助。",
            },
        ),
        ("heading", {"text": "四、慈善力量如何参与", "level": "h2"}),
        (
            "paragraph",
            "<p>监测平台推送法定救助未能覆盖的困难需求，本平台隐去身份信息后公开，经认证的慈善组织和志愿者"
            "认领帮扶、反馈结果，做到一户（人）一条救助链，避免救助遗漏和重复救助。</p>",
        ),
    ]
    page = NoticePage(
        title="一图读懂：我省加强低收入人口动态监测做好分层分类社会救助",
        slug="jiedu-eminzhengfa-2024-21",
        notice_type=NoticeType.INTERPRETATION,
        issuing_bodies="湖北省民政厅",
        issue_date=date(2024, 9, 12),
        region_id="420000",
        interprets=policy,
        body=body,
    )
    result.notices.append(page.title)
    _publish(index, page)


NEWS = (
    (
        "420100",
        "wuhan-jiuzhu-lian-2026",
        "武汉市推进“一户一条救助链”，慈善帮扶需求线上认领",
        date(2026, 11, 20),
        "武汉市民政局",
        "<p>武汉市依托低收入人口动态监测平台，将法定救助未能覆盖的困难需求隐去身份信息后在本平台公开，"
        "已有多家经认证的慈善组织认领帮扶。市民政局提醒，困难群众可拨打12345热线反映情况。</p>",
    ),
    (
        "420500",
        "yichang-zhudong-faxian-2026",
        "宜昌市开展社会救助主动发现专项行动",
        date(2026, 10, 15),
        "宜昌市民政局",
        "<p>宜昌市组织基层力量经常性走访困难群众，推动“线上数据比对+线下主动摸排”，"
        "及时将家庭状况变化录入监测平台，做到早发现、早介入、早救助。</p>",
    ),
    (
        "420111",
        "hongshan-yimen-shouli-2026",
        "洪山区街道社会救助“一门受理”窗口全面运行",
        date(2026, 9, 8),
        "洪山区民政局",
        "<p>洪山区各街道社会救助“一门受理、协同办理”窗口全面运行，群众可一次申请、分类审核认定。</p>",
    ),
)


def _news(sections: dict[str, NoticeSectionPage], result: DemoNotices) -> None:
    for code, slug, title, day, bodies, text in NEWS:
        section = sections[code]
        if Page.objects.child_of(section).filter(slug=slug).exists():
            continue
        page = NoticePage(
            title=title,
            slug=slug,
            notice_type=NoticeType.NEWS,
            issuing_bodies=bodies,
            issue_date=day,
            region_id=code,
            body=[("paragraph", text)],
        )
        result.notices.append(title)
        _publish(section, page)


def _rules_page(index: NoticeIndexPage) -> None:
    if PolicyRulesPage.objects.exists():
        return
    _publish(
        index,
        PolicyRulesPage(
            title="医疗救助政策",
            slug="yiliao-jiuzhu",
            intro="以下比例由平台的政策计算直接读取，与需求页面上的计算结果一致。",
        ),
    )


def _hotlines(result: DemoNotices) -> None:
    if HotlineEntry.objects.exists():
        return
    entries = [
        HotlineEntry(
            region_id="420000",
            name="社会救助服务热线",
            number=settings.SERVICE_HOTLINE,
            service_hours="24小时",
            note=DEMO_NOTE,
        )
    ]
    for city in Region.objects.city_level():
        entries.append(
            HotlineEntry(
                region=city,
                name=f"{city.name}12345政务服务便民热线",
                number="12345",
                service_hours="24小时",
                note=DEMO_NOTE,
            )
        )
    HotlineEntry.objects.bulk_create(entries)
    result.hotlines = len(entries)
