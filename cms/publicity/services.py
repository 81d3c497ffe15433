"""Writes of the publicity lists: create one from a masked file, replace its rows, expire it.

Only masked rows (``cms.publicity.masking.MaskedList``) ever reach these functions, so a page,
its revisions and its audit log entries never hold a raw value. Publishing and unpublishing go
through Wagtail (``revision.publish``, ``page.unpublish``), which writes the audit log.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page, Revision, Site

from cms.models.notices import NoticeIndexPage, NoticeSectionPage
from cms.models.publicity import PublicityListPage, PublicityListRow
from cms.publicity.masking import MaskedList
from core.errors import DomainError
from regions.models import Region


class NoNoticesSection(DomainError):
    """There is no live notices index page for a publicity list to go under."""

    code = "no_notices_section"
    http_status = 404


class ListRefused(DomainError):
    """A masked file with refused rows, or no row: nothing is created or changed."""

    code = "publicity_list_refused"
    http_status = 400


def _notices_section(region_code: str = "") -> Page:
    """Where a new list of ``region_code`` goes: the live notices section of its county, else of
    its city (so that region's editors and approvers have it, cms/editorial.py), else the notices
    index (``/notices/``) below the default site's home page (the first live one elsewhere).

    Raises ``NoNoticesSection`` when no live ``cms.NoticeIndexPage`` exists.
    """
    pages = NoticeIndexPage.objects.live().order_by("path")
    if not pages.exists():
        raise NoNoticesSection(
            _("There is no notices section (公示公告 index page) to publish the list under.")
        )
    if region_code:
        enclosing = [region_code, f"{region_code[:4]}00"]
        section = NoticeSectionPage.objects.live().filter(region_id__in=enclosing).order_by("-depth").first()
        if section is not None:
            return section
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        below_home = pages.child_of(site.root_page).first()
        if below_home is not None:
            return below_home
    return pages.first()


def _check(masked: MaskedList) -> None:
    if masked.refusals:
        raise ListRefused(
            _("No row was imported: these rows cannot be masked. %(refusals)s")
            % {"refusals": "；".join(str(refusal) for refusal in masked.refusals)}
        )
    if not masked.rows:
        raise ListRefused(_("The file holds no recipient with a name."))


def _rows(masked: MaskedList) -> list[PublicityListRow]:
    return [PublicityListRow.from_masked(row, sort_order=index) for index, row in enumerate(masked.rows)]


def _free_slug(parent: Page, base: str) -> str:
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


@transaction.atomic
def publicity_list_create(
    *,
    masked: MaskedList,
    title: str,
    programme: str,
    region_code: str,
    period_start: date,
    period_end: date,
    objection_phone: str,
    objection_address: str,
    parent: Page | None = None,
    user=None,
    publish: bool = True,
) -> PublicityListPage:
    """Create a list under ``parent`` (the notices section by default) and publish it.

    Raises ``ListRefused`` when ``masked`` has refused rows or none, ``NoNoticesSection``,
    ``Region.DoesNotExist`` for an unknown region and ``ValidationError`` for invalid fields;
    nothing is created then.
    """
    _check(masked)
    parent = parent if parent is not None else _notices_section(region_code)
    region = Region.objects.get(code=region_code)
    page = PublicityListPage(
        title=title,
        slug=_free_slug(parent, f"{programme}-{region.code}-{period_start:%Y%m%d}"),
        programme=programme,
        region=region,
        period_start=period_start,
        period_end=period_end,
        objection_phone=objection_phone,
        objection_address=objection_address,
        import_summary=masked.summary(),
        rows=_rows(masked),
        live=False,
    )
    parent.add_child(instance=page)
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
        page.refresh_from_db()
    return page


@transaction.atomic
def publicity_list_rows_replace(*, page: PublicityListPage, masked: MaskedList, user=None) -> Revision:
    """Replace the rows of ``page``'s latest draft with ``masked`` (a new draft revision).

    Staff then read the summary and the preview and publish as any page. Raises
    ``ListRefused`` when ``masked`` has refused rows or none; nothing changes then.
    """
    _check(masked)
    draft = page.get_latest_revision_as_object()
    draft.rows = _rows(masked)
    draft.import_summary = masked.summary()
    return draft.save_revision(user=user, log_action=True)


def publicity_lists_expire(*, today: date | None = None) -> int:
    """Unpublish every live list whose period has ended; return how many. Safe to run twice."""
    today = today or timezone.localdate()
    expired = 0
    for page in PublicityListPage.objects.live().filter(period_end__lt=today).order_by("pk"):
        with transaction.atomic():
            locked = PublicityListPage.objects.select_for_update().filter(pk=page.pk, live=True).first()
            if locked is None:
                continue
            locked.unpublish(log_action=True)
            expired += 1
    return expired
