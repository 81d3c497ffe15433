"""Building blocks of the notices tests: sections, notices and documents."""

from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from cms.models import NoticeIndexPage, NoticePage, NoticeSectionPage, NoticeType

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def index() -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


def section(code: str, title: str, slug: str, parent=None) -> NoticeSectionPage:
    existing = NoticeSectionPage.objects.filter(region_id=code).first()
    if existing:
        return existing
    page = NoticeSectionPage(title=title, slug=slug, region_id=code)
    (parent or index()).add_child(instance=page)
    page.save_revision().publish()
    return page


def notice(
    parent, *, title="通知", slug=None, notice_type=NoticeType.NEWS, region="420000", day=None, **fields
):
    page = NoticePage(
        title=title,
        slug=slug or f"n{NoticePage.objects.count() + 1}",
        notice_type=notice_type,
        region_id=region,
        issue_date=day or date(2026, 5, 1),
        **fields,
    )
    if notice_type == NoticeType.POLICY and "document_number" not in fields:
        page.document_number = "鄂民政发〔2026〕1号"
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def office_file(kind: str) -> bytes:
    """A minimal Office Open XML file: ``docx`` or ``xlsx``."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def document(filename: str, content: bytes, title: str = "附件"):
    Document = get_document_model()
    doc = Document(title=title)
    doc.file.save(filename, ContentFile(content), save=False)
    doc.save()
    return doc
