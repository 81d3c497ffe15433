"""Who edits and who approves the notices of a region (docs/decisions/0015-notices-editorial-workflow.md).

Each notice section (a city or county) has two Wagtail groups: its editors (caseworkers of the
region: add and edit pages, never publish) and its approvers (supervisors of the region: add,
edit, publish). The groups carry page permissions on the section only, so an editor of 武汉
cannot touch 宜昌's pages. The moderation workflow of /notices/ has one task,
``RegionApprovalTask``: only a supervisor whose region scope covers the page's region (or an
administrator) may approve or reject it.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Task, TaskState

from accounts.roles import Role
from accounts.scoping import user_may_act

PROVINCE_CODE = "420000"


class EditorialRole(models.TextChoices):
    EDITOR = "editor", _("Editors")
    APPROVER = "approver", _("Approvers")


class NoticeGroup(models.Model):
    """The Wagtail group of one section's editors or approvers (kept in step with the roles)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="notice_group")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=EditorialRole.choices)

    class Meta:
        verbose_name = _("notice editorial group")
        constraints = [models.UniqueConstraint(fields=["page", "role"], name="notice_group_one_per_role")]

    def __str__(self) -> str:
        return self.group.name


def page_region_code(page) -> str:
    """The region a page of the notices belongs to: its own, else its section's, else the province."""
    from cms.models.notices import section_region

    page = page.specific if hasattr(page, "specific") else page
    code = getattr(page, "region_id", None)
    if code:
        return code
    region = section_region(page.get_parent()) if page.path else None
    return region.code if region else PROVINCE_CODE


def may_approve(page, user) -> bool:
    """A supervisor whose region scope covers the page's region, or an administrator."""
    return user_may_act(user, region_code=page_region_code(page), roles=[Role.SUPERVISOR])


class RegionApprovalTask(Task):
    """Approval by a supervisor of the page's region (按地区审核)."""

    def _may(self, obj, user) -> bool:
        cache = getattr(user, "_region_approval_checks", None)
        if cache is None:
            cache = {}
            user._region_approval_checks = cache
        if obj.pk not in cache:
            cache[obj.pk] = may_approve(obj, user)
        return cache[obj.pk]

    def user_can_access_editor(self, obj, user):
        return self._may(obj, user)

    def locked_for_user(self, obj, user):
        return not self._may(obj, user)

    def user_can_lock(self, obj, user):
        return self._may(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if self._may(obj, user):
            return [
                ("reject", _("Request changes"), True),
                ("approve", _("Approve"), False),
                ("approve", _("Approve with comment"), True),
            ]
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS).select_related("workflow_state")
        allowed = [
            state.pk
            for state in states
            if isinstance(state.workflow_state.content_object, Page)
            and may_approve(state.workflow_state.content_object, user)
        ]
        return self.task_states.filter(pk__in=allowed)

    @classmethod
    def get_description(cls):
        return _("A supervisor of the page's region approves it")

    class Meta:
        verbose_name = _("approval by a supervisor of the region")
        verbose_name_plural = _("approvals by a supervisor of the region")
