"""Many live notices at once, for the listing's query-count test and ``bench/bench_notices.py``.

Publishing a notice as an editor does (``add_child``, ``save_revision().publish()``) takes tens
of queries per page; a listing measured with thousands of notices needs them in minutes. This
builds the pages as Wagtail stores a published page without a revision: the ``wagtailcore_page``
rows in one ``bulk_create`` (tree paths from treebeard, ``live``, the publication dates), then
each ``cms_noticepage`` row alone (``save_base(raw=True)``, as fixtures load a multi-table
child: Django cannot ``bulk_create`` one), then the sections' child counts. Notices spread over
the ``sections`` in turn, the four notice types and three years (2024-2026).
"""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page

from cms.models import NoticePage, NoticeSectionPage, NoticeType


@transaction.atomic
def bulk_notices(sections: list[Page], count: int, *, slug_prefix: str = "bulk-") -> list[int]:
    """Create ``count`` live notices under ``sections``; return their page ids."""
    content_type = ContentType.objects.get_for_model(NoticePage)
    types = list(NoticeType.values)
    now = timezone.now()
    regions = dict(
        NoticeSectionPage.objects.filter(pk__in=[s.pk for s in sections]).values_list("pk", "region")
    )
    parents = list(Page.objects.filter(pk__in=regions).order_by("path"))  # fresh paths and counts
    added = dict.fromkeys(regions, 0)
    bases, children = [], []
    for number in range(count):
        parent = parents[number % len(parents)]
        added[parent.pk] += 1
        kind = types[number % len(types)]
        slug = f"{slug_prefix}{number}"
        title = f"基准测试公告 {number}"
        bases.append(
            Page(
                path=Page._get_path(parent.path, parent.depth + 1, parent.numchild + added[parent.pk]),
                depth=parent.depth + 1,
                numchild=0,
                title=title,
                draft_title=title,
                slug=slug,
                url_path=f"{parent.url_path}{slug}/",
                content_type=content_type,
                locale_id=parent.locale_id,
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
            )
        )
        children.append(
            NoticePage(
                notice_type=kind,
                document_number=f"鄂民政发〔2025〕{number}号" if kind == NoticeType.POLICY else "",
                region_id=regions[parent.pk],
                issue_date=date(2024 + number % 3, 1 + number % 12, 1 + number % 28),
                body=[("paragraph", f"<p>基准测试公告正文 {number}。</p>")],
            )
        )
    for base, child in zip(Page.objects.bulk_create(bases, batch_size=500), children, strict=True):
        child.page_ptr_id = base.pk
        child.save_base(raw=True, force_insert=True)
    for parent_pk, number in added.items():
        Page.objects.filter(pk=parent_pk).update(numchild=F("numchild") + number)
    return [base.pk for base in bases]
