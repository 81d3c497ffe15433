"""The index follows what the public may see: needs and organizations through their hooks,
notices through Wagtail's page signals, each enqueued after the commit; the periodic repair
makes good what a lost message left; ``search_rebuild`` builds it anew."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.signals import page_published, page_unpublished

from marketplace.needs.services.expiry import needs_expire
from marketplace.needs.services.status import need_set_status, need_withdraw
from marketplace.organizations.services.verification import organization_set_status
from search.backends import SearchQuery, _backend
from search.models import SearchEntry
from search.tasks import repair_index
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_backend(settings):
    settings.SEARCH_BACKEND = "database"
    _backend.cache_clear()


def indexed(kind: str = "need") -> set[str]:
    return set(SearchEntry.objects.filter(kind=kind).values_list("key", flat=True))


def test_a_published_need_is_indexed_after_commit_with_its_public_shape(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        need = NeedFactory(title="洪山区 · 医疗 · 住院费用", summary="住院后仍有自付费用。", region="420111")
    assert indexed() == set(), "nothing is indexed before the commit"
    for callback in callbacks:
        callback()
    entry = SearchEntry.objects.get(kind="need", key=need.code)
    assert entry.title == "洪山区 · 医疗 · 住院费用"
    assert (entry.region, entry.region_name, entry.type_label) == ("420100", "武汉市", "医疗")
    assert entry.data["place"] == "洪山区" and entry.url == f"/needs/{need.code}/"
    assert "住院" in entry.body_tokens.split()


def test_held_waiting_withdrawn_and_expired_needs_are_never_in_the_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        held = NeedFactory(pending_review=True)
        waiting = NeedFactory(pending_review=True, awaiting_cohort=True)
        NeedFactory(withdrawn=True)
        NeedFactory(expired=True)
        published = NeedFactory()
    assert indexed() == {published.code}
    assert held.code not in indexed() and waiting.code not in indexed()


def test_a_withdrawn_need_leaves_the_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = NeedFactory()
    assert need.code in indexed()
    with django_capture_on_commit_callbacks(execute=True):
        need_withdraw(need=need, note="来源系统撤回")
    assert need.code not in indexed()


def test_a_need_sent_back_to_review_leaves_the_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = NeedFactory()
    with django_capture_on_commit_callbacks(execute=True):
        need_set_status(need=need, to_status="pending_review")
    assert need.code not in indexed()


def test_expired_needs_leave_the_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        late = NeedFactory(needed_by=timezone.localdate() - timedelta(days=1))
        open_ = NeedFactory()
    assert indexed() == {late.code, open_.code}
    with django_capture_on_commit_callbacks(execute=True):
        assert needs_expire() == 1
    assert indexed() == {open_.code}


def test_nothing_is_indexed_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        NeedFactory()
    # A rolled-back transaction never runs its on-commit callbacks: dropping them is the rollback.
    del callbacks
    assert indexed() == set()


def test_an_organization_is_indexed_when_verified_and_leaves_when_suspended(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        pending = OrganizationFactory(name="东湖助学志愿服务队", description="为困难学生助学。")
    assert indexed("organization") == set()
    with django_capture_on_commit_callbacks(execute=True):
        organization_set_status(organization=pending, to_status="verified", actor=None)
    entry = SearchEntry.objects.get(kind="organization", key=str(pending.pk))
    assert entry.title == "东湖助学志愿服务队" and entry.url == f"/organizations/{pending.pk}/"
    assert "contact" not in repr(entry.data) and pending.contact_phone not in entry.body
    with django_capture_on_commit_callbacks(execute=True):
        organization_set_status(organization=pending, to_status="suspended", actor=None, note="年检逾期")
    assert indexed("organization") == set()


NOTICE = {
    "id": "41", "kind": "notice", "title": "关于做好医疗救助工作的通知", "body": "全省医疗救助。",
    "notice_type": "policy", "notice_type_label": "政策文件", "region": "420000", "region_name": "湖北省",
    "date": "2026-03-01", "year": 2026, "url": "/notices/41/",
}  # fmt: skip


class FakeNotice(SimpleNamespace):
    def search_document(self):
        return NOTICE


def test_a_notice_is_indexed_on_publish_and_leaves_on_unpublish(
    monkeypatch, django_capture_on_commit_callbacks
):
    live = {"41": True}
    monkeypatch.setattr(
        "search.documents.notice_search_document", lambda pk: NOTICE if live.get(str(pk)) else None
    )
    page = FakeNotice(pk=41)
    with django_capture_on_commit_callbacks(execute=True):
        page_published.send(sender=FakeNotice, instance=page, revision=None)
    entry = SearchEntry.objects.get(kind="notice", key="41")
    assert (entry.type, entry.region, entry.year) == ("policy", "420000", 2026)
    live["41"] = False
    with django_capture_on_commit_callbacks(execute=True):
        page_unpublished.send(sender=FakeNotice, instance=page)
    assert indexed("notice") == set()


def test_pages_that_are_not_notices_are_not_indexed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page_published.send(sender=SimpleNamespace, instance=SimpleNamespace(pk=2), revision=None)
    assert callbacks == []


def test_the_repair_counts_both_sides_and_fixes_the_drift(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept, lost = NeedFactory(), NeedFactory()
    SearchEntry.objects.filter(key=lost.code).delete()  # a message lost with the broker
    SearchEntry.objects.create(kind="need", key="GONE0000001", title="已撤回", url="/needs/GONE0000001/")
    report = repair_index()
    assert report["need"] == {"source": 2, "index": 2, "added": 1, "removed": 1}
    assert indexed() == {kept.code, lost.code}
    assert repair_index()["need"] == {"source": 2, "index": 2, "added": 0, "removed": 0}


def test_search_rebuild_builds_the_index_anew_with_a_progress_bar():
    NeedFactory.create_batch(3)  # written without the hooks' commit: not indexed yet
    SearchEntry.objects.create(kind="need", key="STALE", title="旧", url="/")
    out = io.StringIO()
    call_command("search_rebuild", stdout=out)
    text = out.getvalue()
    assert "3 documents" in text and "100.0%" in text and "the index is switched" in text
    assert len(indexed()) == 3 and "STALE" not in indexed()


def test_the_keyword_box_of_the_needs_list_uses_the_index(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        medical = NeedFactory(title="洪山区 · 医疗救助后的自付费用")
        NeedFactory(title="江岸区 · 教育 · 学费", need_type="education")
    page = client.get("/needs/", {"q": "医疗"})
    assert page.status_code == 200
    html = page.content.decode()
    assert medical.code in html and "学费" not in html
    api = client.get("/api/v1/needs/", {"q": "医疗"}).json()
    assert [need["code"] for need in api["results"]] == [medical.code]


def test_the_cached_needs_page_varies_with_the_keywords(client, settings, django_capture_on_commit_callbacks):
    settings.NEED_LIST_PAGE_CACHE_SECONDS = 60
    settings.NEED_FACETS_CACHE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        NeedFactory(title="洪山区 · 医疗费用")
        NeedFactory(title="江岸区 · 住房修缮", need_type="housing")
    first = client.get("/needs/", {"q": "医疗"}).content.decode()
    second = client.get("/needs/", {"q": "住房"}).content.decode()
    assert "医疗费用" in first and "住房修缮" not in first
    assert "住房修缮" in second and "医疗费用" not in second


def test_a_search_by_the_backend_finds_an_indexed_need(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = NeedFactory(title="武汉教育助学 · 高中学费", need_type="education")
    result = _backend("database").search(SearchQuery(text="武汉 教育"))
    assert [hit.id for hit in result.hits] == [need.code]
