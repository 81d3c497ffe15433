"""Sign up on a phone, follow the mailed link, and the volunteer form opens (issue 9, item 13)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]

PASSWORD = "correct-horse-battery"


def test_sign_up_verify_the_address_then_register_as_a_volunteer(live_server, phone_page, screenshots_dir):
    page = phone_page
    page.goto(live_server.url + "/account/signup/")
    page.fill("input[name=username]", "xinyuan")
    page.fill("input[name=email]", "xinyuan@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password1]) button[type=submit]").click()

    page.goto(live_server.url + "/volunteers/register/")
    assert page.get_by_role("heading", name="请先验证您的电子邮箱").is_visible()
    assert page.get_by_role("button", name="重新发送验证链接").is_visible()
    assert page.locator("input[name=id_number]").count() == 0
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    page.screenshot(path=screenshots_dir / "volunteer-unverified.png", full_page=True)

    [message] = mail.outbox
    path = re.search(r"/account/verify-email/\S+/", message.body).group(0)
    page.goto(live_server.url + path)
    assert "谢谢！您的电子邮箱已验证。" in page.content()
    assert page.get_by_text("已验证", exact=True).is_visible()

    page.goto(live_server.url + "/volunteers/register/")
    assert page.locator("input[name=id_number]").is_visible()
