"""The Content-Security-Policy in a real browser: the main pages, reached by clicking links from
the home page, and the back office run without a single violation, and Swagger UI renders from
the portal's own files."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE
from tests.factories.accounts import UserFactory
from tests.factories.needs import NeedFactory, SourceSystemFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]

STAFF_PASSWORD = "correct-horse-battery"  # UserFactory's
# Runs in every document before the page's own scripts (Playwright injects it outside the
# page's policy) and hands each violation to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.reportViolation([location.pathname, event.violatedDirective, event.blockedURI,
                            event.sourceFile, event.lineNumber].join(" | "));
}, true);
"""


class Violations:
    """Every CSP violation event and every console message about a policy, in one context."""

    def __init__(self, context) -> None:
        self.found: list[str] = []
        context.expose_function("reportViolation", self._report)
        context.add_init_script(REPORT_VIOLATIONS)

    def _report(self, text: str) -> None:
        self.found.append(text)

    def watch(self, page) -> None:
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            self.found.append(f"console {message.type}: {message.text}")


@pytest.fixture
def content():
    source = SourceSystemFactory(region_code="420000")
    for number in range(3):
        NeedFactory(source_system=source, title=f"需要医疗帮扶的家庭{number}")
    OrganizationFactory(verified=True, need_types=[], name="武汉爱心慈善会")
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


def _click(page, locator) -> None:
    locator.click()
    page.wait_for_load_state("networkidle")


def test_main_pages_and_back_office_run_without_a_policy_violation(
    live_server, browser, content, screenshots_dir
):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, locale="zh-CN")
    violations = Violations(context)
    page = context.new_page()
    violations.watch(page)
    try:
        page.goto(live_server.url + "/")
        page.wait_for_load_state("networkidle")
        nav = page.locator("nav.site-nav")

        _click(page, nav.get_by_role("link", name="救助需求"))
        assert page.url == live_server.url + "/needs/"
        assert page.locator(".need-card__link").count() == 3
        page.screenshot(path=screenshots_dir / "needs-390.png", full_page=True)

        _click(page, page.locator(".need-card__link").first)
        assert re.fullmatch(r"/needs/[A-Z0-9]+/", page.url.removeprefix(live_server.url))

        _click(page, page.locator("nav.site-nav").get_by_role("link", name="慈善组织"))
        assert page.url == live_server.url + "/organizations/"
        assert page.get_by_text("武汉爱心慈善会").count() >= 1

        _click(page, page.locator(".site-tools").get_by_role("link", name="登录"))
        assert page.url.startswith(live_server.url + "/account/login/")
        _click(page, page.locator("main").get_by_role("link", name="注册账户"))
        assert page.url.startswith(live_server.url + "/account/signup/")

        # A staff member signs in on the public sign-in page and lands in the back office; from
        # their API tokens page they open the API docs, and the back office from the header.
        _click(page, page.locator(".site-tools").get_by_role("link", name="登录"))
        page.locator("input[name=username]").fill("staff")
        page.locator("input[name=password]").fill(STAFF_PASSWORD)
        _click(page, page.locator("main").get_by_role("button", name="登录"))
        assert page.url == live_server.url + "/admin/"
        page.goto(live_server.url + "/account/tokens/")

        _click(page, page.get_by_role("link", name="接口文档"))
        assert page.url == live_server.url + "/api/docs/"
        page.locator(".swagger-ui .opblock").first.wait_for()
        assert page.locator(".swagger-ui .opblock").count() > 5
        assert "湖北社会救助慈善帮扶衔接平台 API" in page.locator(".swagger-ui .info .title").inner_text()
        page.screenshot(path=screenshots_dir / "api-docs-390.png", full_page=True)

        page.go_back()
        page.wait_for_load_state("networkidle")
        _click(page, page.get_by_role("link", name="后台管理"))
        assert page.url == live_server.url + "/admin/"
        assert page.locator("#wagtail-sidebar a").count() > 0  # drawn by the back office's scripts

        # The home page as staff see it: with Wagtail's user bar.
        page.goto(live_server.url + "/")
        page.wait_for_load_state("networkidle")
        assert page.locator("wagtail-userbar").count() == 1
    finally:
        context.close()

    # The back office's own sign-in page, as a bookmark opens it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin_violations = Violations(context)
    page = context.new_page()
    admin_violations.watch(page)
    try:
        page.goto(live_server.url + "/admin/")
        page.wait_for_load_state("networkidle")
        assert page.url.startswith(live_server.url + "/admin/login/")
        page.locator("input[name=username]").fill("staff")
        page.locator("input[name=password]").fill(STAFF_PASSWORD)
        _click(page, page.locator("button[type=submit]"))
        assert page.url == live_server.url + "/admin/"
        assert page.locator("#wagtail-sidebar a").count() > 0
    finally:
        context.close()

    assert violations.found == []
    assert admin_violations.found == []
