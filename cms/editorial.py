"""Keeping the notices' editorial groups in step with the portal's roles and region scopes.

``ensure_section_groups(page)`` gives the notices index (the province) and each city or county
section its editors' and approvers' groups with page permissions on that section only.
``sync_notice_groups(user)`` puts a caseworker in the editors' group, and a supervisor in the
approvers' group, of the narrowest section that covers their region scope; it runs whenever a
user's roles or scope change and whenever a section is created. See cms/models/editorial.py.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from accounts.roles import Role
from cms.models.editorial import PROVINCE_CODE, EditorialRole, NoticeGroup
from regions.models import Region, is_within

PAGE_PERMISSIONS = {
    EditorialRole.EDITOR: ("add_page", "change_page"),
    EditorialRole.APPROVER: ("add_page", "change_page", "publish_page"),
}
# Editors attach documents and images to notices: they may upload and choose them.
COLLECTION_PERMISSIONS = (
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
)
ROLE_FOR = {Role.CASEWORKER: EditorialRole.EDITOR, Role.SUPERVISOR: EditorialRole.APPROVER}
GROUP_NAMES = {EditorialRole.EDITOR: "公告编辑 · {name}", EditorialRole.APPROVER: "公告审核 · {name}"}


def _section_region_code(page: Page) -> str:
    return getattr(page.specific, "region_id", None) or PROVINCE_CODE


@transaction.atomic
def ensure_section_groups(page: Page) -> list[NoticeGroup]:
    """The editors' and approvers' groups of the notices index or a section, created if missing."""
    code = _section_region_code(page)
    region = Region.objects.get(pk=code)
    groups = []
    for role, codenames in PAGE_PERMISSIONS.items():
        notice_group = NoticeGroup.objects.filter(page=page, role=role).select_related("group").first()
        if notice_group is None:
            name = GROUP_NAMES[role].format(name=f"{region.name} {region.code}")
            group, __ = Group.objects.get_or_create(name=name)
            notice_group = NoticeGroup.objects.create(group=group, page=page, region=region, role=role)
        group = notice_group.group
        for codename in codenames:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        root = Collection.get_first_root_node()
        for app_label, codename in COLLECTION_PERMISSIONS:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None and root is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=permission
                )
        groups.append(notice_group)
    return groups


def notice_groups_for(user) -> set[int]:
    """The ids of the editorial groups ``user`` belongs in, by role and region scope."""
    if not user.is_active or not user.region_id:
        return set()
    wanted: set[int] = set()
    candidates = list(NoticeGroup.objects.all())
    for role, editorial_role in ROLE_FOR.items():
        if not user.has_role(role):
            continue
        # The province's own groups are for province staff only: a city or county without a
        # section of its own gives its staff no editorial group, never the whole province.
        covering = [
            group
            for group in candidates
            if group.role == editorial_role
            and is_within(user.region_id, group.region_id)
            and (group.region_id != PROVINCE_CODE or user.region_id == PROVINCE_CODE)
        ]
        if covering:
            narrowest = max(covering, key=lambda group: len(group.region.prefix))
            wanted.add(narrowest.group_id)
    return wanted


def sync_notice_groups(user) -> None:
    """Put ``user`` in exactly the editorial groups their roles and region scope call for."""
    if user.pk is None:
        return
    user.__dict__.pop("_role_names", None)  # the roles may just have changed
    all_ids = set(NoticeGroup.objects.values_list("group_id", flat=True))
    if not all_ids:
        return
    current = set(user.groups.filter(pk__in=all_ids).values_list("pk", flat=True))
    wanted = notice_groups_for(user)
    if current == wanted:
        return
    _syncing.add(user.pk)
    try:
        if current - wanted:
            user.groups.remove(*(current - wanted))
        if wanted - current:
            user.groups.add(*(wanted - current))
    finally:
        _syncing.discard(user.pk)
    if hasattr(user, "_perm_cache"):
        del user._perm_cache
    if hasattr(user, "_group_perm_cache"):
        del user._group_perm_cache


_syncing: set[int] = set()


def sync_region_users(region_code: str) -> None:
    """Re-sync the staff whose scope lies inside ``region_code`` (a section was added there)."""
    from regions.models import code_prefix

    users = (
        get_user_model()
        .objects.filter(
            is_active=True, region__code__startswith=code_prefix(region_code), groups__name__in=list(ROLE_FOR)
        )
        .distinct()
    )
    for user in users:
        sync_notice_groups(user)


# --- signal receivers (connected in cms.apps) ---------------------------------------------------


def on_section_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return

    if NoticeGroup.objects.filter(page=instance).count() < len(PAGE_PERMISSIONS):
        ensure_section_groups(instance)
        sync_region_users(_section_region_code(instance))


def on_user_saved(sender, instance, raw=False, **kwargs):
    if raw or instance.pk in _syncing:
        return
    sync_notice_groups(instance)


def on_user_groups_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not isinstance(instance, get_user_model()) or instance.pk in _syncing:
        return
    sync_notice_groups(instance)


WORKFLOW_NAME = "公告按地区审核"
TASK_NAME = "本地区主管审核"


def ensure_editorial_setup(**kwargs) -> None:
    """The moderation workflow of /notices/ and the editorial groups of the index and every
    section, created if missing (post_migrate: idempotent, on fresh installs and test databases)."""
    from wagtail.models import Workflow, WorkflowPage, WorkflowTask

    from cms.models import NoticeIndexPage, NoticeSectionPage, RegionApprovalTask

    index = NoticeIndexPage.objects.order_by("path").first()
    if index is None:
        return
    for page in [index, *NoticeSectionPage.objects.all()]:
        if NoticeGroup.objects.filter(page=page).count() < len(PAGE_PERMISSIONS):
            ensure_section_groups(page)
    workflow, __ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = RegionApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = RegionApprovalTask.objects.create(name=TASK_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(page=index, workflow=workflow)
