"""The public pages a reader sees: home, the sections still to come, errors, and the switches."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation

from cms import views

SECTIONS = [
    ("/needs/", "救助需求"),
    ("/notices/", "公示公告"),
    ("/complaints/new/", "投诉建议"),
    ("/complaints/track/", "投诉查询"),
    ("/search/", "搜索"),
    ("/stats/", "统计"),
]

pytestmark = pytest.mark.django_db


def test_home_page_is_in_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert "<h1" in html
    assert "湖北社会救助慈善帮扶衔接平台" in html
    assert "社会救助服务热线" in html
    assert f'href="tel:{settings.SERVICE_HOTLINE}"' in html
    for path, title in SECTIONS:
        assert f'href="{path}"' in html
        assert title in html


def test_home_page_shows_the_editable_introduction(client):
    response = client.get("/")

    assert "一户（人）一条救助链" in response.content.decode()


def test_language_switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    html = client.get("/").content.decode()

    assert '<html lang="en"' in html
    for label in ("Assistance needs", "Notices", "Complaints and suggestions", "Track a complaint"):
        assert label in html
    assert "Social assistance service hotline" in html
    assert "Hubei Social Assistance and Charity Portal" in html
    assert "救助需求" not in html


def test_language_switch_returns_to_the_current_page(client):
    html = client.get("/needs/").content.decode()

    assert 'action="/i18n/setlang/"' in html
    assert '<input type="hidden" name="next" value="/needs/">' in html


@pytest.mark.parametrize("section", views.SECTIONS, ids=lambda section: section.key)
def test_every_section_of_the_home_page_is_served(client, section):
    """Each card and navigation entry leads to a working page (none is "coming soon" any more)."""
    home = client.get("/").content.decode()
    assert f'href="{section.path}"' in home
    assert "即将上线" not in home

    response = client.get(section.path)

    assert response.status_code == 200
    assert 'aria-current="page"' in response.content.decode()


def test_page_not_found_is_friendly_and_in_chinese(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "页面没有找到" in html
    assert "返回首页" in html
    assert "社会救助服务热线" in html


def test_server_error_page_needs_no_request_context():
    request = RequestFactory().get("/")

    with translation.override("zh-hans"):
        response = views.server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "出了点问题" in html
    assert "湖北社会救助慈善帮扶衔接平台" in html
    assert f'href="tel:{settings.SERVICE_HOTLINE}"' in html


def test_server_error_is_friendly_and_in_chinese(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.cms.error_urls"

    response = Client(raise_request_exception=False).get("/broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "抱歉，我们这边出了点问题" in html
    assert "Traceback" not in html


def test_an_expired_form_gets_a_friendly_chinese_page():
    response = Client(enforce_csrf_checks=True).post("/preferences/text-size/", {"text_size": "large"})

    assert response.status_code == 403
    assert "表单没有提交成功" in response.content.decode()


def test_large_text_switch_sets_a_cookie_for_a_year(client):
    response = client.post("/preferences/text-size/", {"text_size": "large", "next": "/needs/"})

    assert response.status_code == 302
    assert response["Location"] == "/needs/"
    cookie = response.cookies["text_size"]
    assert cookie.value == "large"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["samesite"] == "Lax"

    html = client.get("/needs/").content.decode()
    assert '<html lang="zh-hans" class="text-large">' in html
    assert 'aria-pressed="true"' in html.split('action="/preferences/text-size/"')[1]


def test_large_text_switch_turns_back_to_normal(client):
    client.post("/preferences/text-size/", {"text_size": "large", "next": "/"})
    client.post("/preferences/text-size/", {"text_size": "normal", "next": "/"})

    html = client.get("/").content.decode()

    assert "text-large" not in html.split("<head>")[0]


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example", "//evil.example/path", "https:evil.example", "javascript:alert(1)", ""],
)
def test_large_text_switch_refuses_to_redirect_off_site(client, next_url):
    response = client.post("/preferences/text-size/", {"text_size": "large", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_large_text_switch_only_accepts_post(client):
    response = client.get("/preferences/text-size/", {"text_size": "large", "next": "/"})

    assert response.status_code == 405
