"""The editorial workflow by region: a caseworker edits the notices of their own region only, a
supervisor approves those of their own region only, publishing and unpublishing are in
Wagtail's audit log, and scheduled pages go live and expire from Celery beat."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from wagtail.models import PageLogEntry, Workflow

from accounts.roles import Role
from cms.editorial import WORKFLOW_NAME
from cms.models import NoticePage, NoticeType
from cms.tasks import publish_scheduled
from tests.cms.notice_helpers import index, notice, section
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world():
    wuhan = section("420100", "武汉市", "wuhan")
    yichang = section("420500", "宜昌市", "yichang")
    return {
        "wuhan": wuhan,
        "yichang": yichang,
        "wuhan_editor": UserFactory(roles=[Role.CASEWORKER], region_id="420100"),
        "hongshan_editor": UserFactory(roles=[Role.CASEWORKER], region_id="420111"),
        "yichang_editor": UserFactory(roles=[Role.CASEWORKER], region_id="420500"),
        "wuhan_supervisor": UserFactory(roles=[Role.SUPERVISOR], region_id="420100"),
        "yichang_supervisor": UserFactory(roles=[Role.SUPERVISOR], region_id="420500"),
        "volunteer": UserFactory(roles=[Role.VOLUNTEER]),
    }


def _draft(parent, editor, title="武汉市低保标准调整的通知", region="420100"):
    page = NoticePage(title=title, slug="draft-1", notice_type=NoticeType.NEWS, region_id=region, live=False)
    parent.add_child(instance=page)
    revision = page.save_revision(user=editor)
    return page, revision


def test_editors_edit_only_under_their_own_region_and_never_publish(world):
    draft, __ = _draft(world["wuhan"], world["wuhan_editor"])
    in_wuhan = draft.permissions_for_user(world["wuhan_editor"])
    in_yichang = world["yichang"].permissions_for_user(world["wuhan_editor"])

    assert in_wuhan.can_edit()
    assert not in_wuhan.can_publish()
    assert world["wuhan"].permissions_for_user(world["wuhan_editor"]).can_add_subpage()
    assert not in_yichang.can_add_subpage()
    assert not in_yichang.can_edit()
    assert not draft.permissions_for_user(world["yichang_editor"]).can_edit()
    assert not draft.permissions_for_user(world["volunteer"]).can_edit()
    assert not index().permissions_for_user(world["wuhan_editor"]).can_add_subpage()


def test_the_groups_follow_role_and_region(world):
    editor = world["wuhan_editor"]
    assert set(editor.groups.values_list("name", flat=True)) == {"caseworker", "公告编辑 · 武汉市 420100"}
    # A county section takes its county's caseworkers; moving a caseworker moves their group.
    section("420111", "洪山区", "hongshan", parent=world["wuhan"])
    world["hongshan_editor"].refresh_from_db()
    assert "公告编辑 · 洪山区 420111" in set(world["hongshan_editor"].groups.values_list("name", flat=True))
    editor.region_id = "420500"
    editor.save()
    assert set(editor.groups.values_list("name", flat=True)) == {"caseworker", "公告编辑 · 宜昌市 420500"}
    editor.groups.remove(*editor.groups.filter(name="caseworker"))
    assert not editor.groups.exists()


def test_the_editor_of_wuhan_cannot_publish_under_yichang_through_the_back_office(client, world):
    client.force_login(world["wuhan_editor"])
    response = client.get(reverse("wagtailadmin_pages:add", args=("cms", "noticepage", world["yichang"].pk)))
    assert response.status_code in (302, 403)

    draft, __ = _draft(world["yichang"], world["yichang_editor"], title="宜昌通知", region="420500")
    assert client.get(reverse("wagtailadmin_pages:edit", args=(draft.pk,))).status_code in (302, 403)
    client.post(reverse("wagtailadmin_pages:edit", args=(draft.pk,)), {"action-publish": "publish"})
    draft.refresh_from_db()
    assert not draft.live


def test_only_a_supervisor_of_the_pages_region_approves_it(client, world):
    assert Workflow.objects.get(name=WORKFLOW_NAME).workflow_pages.filter(page=index()).exists()
    draft, __ = _draft(world["wuhan"], world["wuhan_editor"])
    workflow = draft.get_workflow()
    assert workflow.name == WORKFLOW_NAME
    state = workflow.start(draft, world["wuhan_editor"])
    task = state.current_task_state.task.specific

    assert task.get_actions(draft, world["yichang_supervisor"]) == []
    assert task.get_actions(draft, world["wuhan_editor"]) == []
    assert [name for name, *__ in task.get_actions(draft, world["wuhan_supervisor"])] == [
        "reject",
        "approve",
        "approve",
    ]
    assert not task.get_task_states_user_can_moderate(world["yichang_supervisor"]).exists()
    assert task.get_task_states_user_can_moderate(world["wuhan_supervisor"]).count() == 1

    action_url = reverse(
        "wagtailadmin_pages:workflow_action", args=(draft.pk, "approve", state.current_task_state.pk)
    )
    client.force_login(world["yichang_supervisor"])
    assert client.post(action_url, {}).status_code in (302, 403)  # Wagtail sends the refused to /admin/
    draft.refresh_from_db()
    assert not draft.live

    client.force_login(world["wuhan_supervisor"])
    response = client.post(action_url, {})
    assert response.status_code in (200, 302)
    draft.refresh_from_db()
    assert draft.live
    assert PageLogEntry.objects.filter(
        page=draft, action="wagtail.publish", user=world["wuhan_supervisor"]
    ).exists()


def test_publish_and_unpublish_are_in_the_audit_log(world):
    page = notice(world["wuhan"], region="420100")
    page.unpublish(user=world["wuhan_supervisor"])

    actions = list(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
    assert "wagtail.publish" in actions and "wagtail.unpublish" in actions
    entry = PageLogEntry.objects.filter(page=page, action="wagtail.unpublish").get()
    assert entry.user == world["wuhan_supervisor"]


def test_scheduled_pages_go_live_and_expire_from_the_beat_task(client, world):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        page = NoticePage(
            title="春节慰问公告", slug="scheduled", notice_type=NoticeType.PUBLICITY, region_id="420100"
        )
        world["wuhan"].add_child(instance=page)
        page.go_live_at = start + timedelta(days=1)
        page.expire_at = start + timedelta(days=8)
        page.save_revision(user=world["wuhan_supervisor"]).publish(user=world["wuhan_supervisor"])
        page.refresh_from_db()
        assert not page.live
        publish_scheduled()
        page.refresh_from_db()
        assert not page.live
        assert client.get("/notices/wuhan/scheduled/").status_code == 404

    with time_machine.travel(start + timedelta(days=1, minutes=1), tick=False):
        publish_scheduled()
        publish_scheduled()  # twice: nothing more happens
        page.refresh_from_db()
        assert page.live
        assert client.get("/notices/wuhan/scheduled/").status_code == 200

    with time_machine.travel(start + timedelta(days=8, minutes=1), tick=False):
        publish_scheduled()
        page.refresh_from_db()
        assert not page.live and page.expired
        assert client.get("/notices/wuhan/scheduled/").status_code == 404

    actions = list(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
    assert "wagtail.publish.scheduled" in actions and "wagtail.unpublish.scheduled" in actions
