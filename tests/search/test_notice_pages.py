"""Real notice pages (cms.models.NoticePage): published → searchable, unpublished or deleted →
gone, through Wagtail's signals and the contract of ``cms.selectors.notice_search_document``."""

from __future__ import annotations

import pytest

from cms.models import NoticeType
from search.backends import SearchQuery, _backend
from search.indexing import repair
from search.models import SearchEntry
from tests.cms.notice_helpers import index, notice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_backend(settings):
    settings.SEARCH_BACKEND = "database"
    _backend.cache_clear()


def notices_indexed() -> set[str]:
    return set(SearchEntry.objects.filter(kind="notice").values_list("key", flat=True))


def test_a_published_notice_is_found_and_an_unpublished_one_is_not(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = notice(index(), title="关于做好2026年医疗救助工作的通知", notice_type=NoticeType.POLICY)
    result = _backend("database").search(SearchQuery(text="医疗 救助", kind="notice"))
    assert [hit.id for hit in result.hits] == [str(page.pk)]
    hit = result.hits[0]
    assert hit.type == "policy" and hit.type_label and hit.region == "420000" and hit.year == 2026
    assert hit.url == page.public_path()
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert notices_indexed() == set()


def test_a_deleted_notice_leaves_the_index(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = notice(index(), title="困难群众临时救助公告")
    key = str(page.pk)
    assert key in notices_indexed()
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert key not in notices_indexed()


def test_the_repair_finds_live_notices_the_index_missed():
    page = notice(index(), title="政策解读：低保边缘家庭认定")  # no commit callbacks ran
    assert notices_indexed() == set()
    assert repair(["notice"])["notice"]["added"] == 1
    assert notices_indexed() == {str(page.pk)}
