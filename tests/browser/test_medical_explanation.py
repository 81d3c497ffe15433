"""Issue 11 item 14 on a phone: the medical figures of a need read as lines that add up, fit the
screen, and turn English with the page."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from marketplace.needs.demo import synthetic_record
from marketplace.needs.models import Need
from tests.factories.needs import SourceSystemFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_migration_rows"),
]


def _medical_need(client, settings) -> Need:
    settings.K_ANONYMITY_K = 1
    source = SourceSystemFactory(region_code="420100")
    record = synthetic_record(
        random.Random(11),
        source_ref="MED-PHONE",
        county_code="420111",
        today=timezone.localdate(),
        need_type="medical",
    )
    record["household"]["categories"] = ["dibao"]
    record["requested_amount"] = "15400.00"
    record["medical"] = {
        "in_scope_self_pay": "10000",
        "out_of_scope": "2000",
        "outpatient_chronic_self_pay": "3000",
        "insurance_premium": "400",
    }
    response = client.post(
        "/api/v1/intake/needs/",
        {"records": [record]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {source.api_key}",
    )
    return Need.objects.get(code=response.json()["results"][0]["need_code"])


def test_the_medical_lines_fit_a_phone_in_chinese_and_in_english(
    live_server, phone_page, screenshots_dir, client, settings
):
    need = _medical_need(client, settings)
    page = phone_page
    page.goto(f"{live_server.url}/needs/{need.code}/")

    table = page.locator("table.need-money__lines")
    assert table.locator("tbody tr").count() == 4  # inpatient, outpatient, outside the scope, premium
    assert "8,860.00 元" in table.locator("tfoot").inner_text()  # 7,000 + 1,500 + 0 + 360
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    table.screenshot(path=screenshots_dir / "need-medical-lines-zh.png")
    page.screenshot(path=screenshots_dir / "need-medical-zh.png", full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()

    assert "Estimated statutory assistance" in table.inner_text()
    assert "is left for charity" in page.locator(".need-money__rule").inner_text()
    page.screenshot(path=screenshots_dir / "need-medical-en.png", full_page=True)
