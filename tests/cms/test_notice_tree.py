"""Which page types go where: the notices live under /notices/ and its city and county sections."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cms.models import (
    HomePage,
    HotlinePage,
    NoticeIndexPage,
    NoticePage,
    NoticeSectionPage,
    NoticeType,
    PolicyRulesPage,
)
from tests.cms.notice_helpers import index, notice, section

pytestmark = pytest.mark.django_db


def test_the_notices_and_the_hotline_are_mounted_at_their_addresses(client):
    assert client.get("/notices/").status_code == 200
    assert client.get("/hotline/").status_code == 200
    assert NoticeIndexPage.objects.get().url == "/notices/"
    assert HotlinePage.objects.get().url == "/hotline/"


def test_page_types_go_only_where_they_belong():
    assert NoticeIndexPage.allowed_parent_page_models() == [HomePage]
    assert HotlinePage.allowed_parent_page_models() == [HomePage]
    assert set(NoticeSectionPage.allowed_parent_page_models()) == {NoticeIndexPage, NoticeSectionPage}
    assert set(NoticePage.allowed_parent_page_models()) == {NoticeIndexPage, NoticeSectionPage}
    assert set(PolicyRulesPage.allowed_parent_page_models()) == {HomePage, NoticeIndexPage}
    assert NoticePage.allowed_subpage_models() == []
    assert HotlinePage.allowed_subpage_models() == []

    home = HomePage.objects.get()
    notices = index()
    assert NoticePage.can_create_at(notices)
    assert not NoticePage.can_create_at(home)
    assert not NoticeSectionPage.can_create_at(home)
    assert not HotlinePage.can_create_at(home)  # one directory only (max_count)
    assert not NoticeIndexPage.can_create_at(home)
    wuhan = section("420100", "武汉市", "wuhan")
    assert NoticePage.can_create_at(wuhan)
    assert NoticeSectionPage.can_create_at(wuhan)
    news = notice(wuhan, region="420100")
    assert not NoticePage.can_create_at(news)
    assert HotlinePage not in notices.specific_class.allowed_subpage_models()


def test_a_section_under_the_notices_is_a_city_and_a_section_under_a_city_one_of_its_counties():
    with pytest.raises(ValidationError, match="市州"):
        index().add_child(instance=NoticeSectionPage(title="洪山区", slug="hongshan", region_id="420111"))
    wuhan = section("420100", "武汉市", "wuhan")
    with pytest.raises(ValidationError, match="所辖"):
        wuhan.add_child(instance=NoticeSectionPage(title="夷陵区", slug="yiling", region_id="420506"))
    hongshan = section("420111", "洪山区", "hongshan", parent=wuhan)
    assert hongshan.url == "/notices/wuhan/hongshan/"


def test_a_notice_in_a_city_section_belongs_to_that_city():
    wuhan = section("420100", "武汉市", "wuhan")
    with pytest.raises(ValidationError, match="武汉市"):
        notice(wuhan, region="420500")
    assert notice(wuhan, region="420111").region_id == "420111"


def test_an_interpretation_links_to_a_policy_document_and_only_an_interpretation_does():
    notices = index()
    news = notice(notices, title="新闻")
    with pytest.raises(ValidationError, match="政策文件"):
        notice(notices, notice_type=NoticeType.INTERPRETATION, title="解读")
    with pytest.raises(ValidationError):
        notice(notices, notice_type=NoticeType.INTERPRETATION, interprets=news)
    with pytest.raises(ValidationError, match="文号"):
        notice(notices, notice_type=NoticeType.POLICY, document_number="")
    policy = notice(notices, notice_type=NoticeType.POLICY, title="政策")
    with pytest.raises(ValidationError, match="清空"):
        notice(notices, title="新闻2", interprets=policy)
    reading = notice(notices, notice_type=NoticeType.INTERPRETATION, title="一图读懂", interprets=policy)

    assert list(policy.live_interpretations()) == [reading]
