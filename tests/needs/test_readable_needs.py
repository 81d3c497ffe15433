"""Published needs people can read (issue 11 item 7): a title that is mostly redaction marks is
replaced by one composed from the published fields, descriptions lose the labels and marks that
say nothing, on the list, the need's page and the API alike; the caseworker sees it before
approving."""

from __future__ import annotations

import pytest

from marketplace.needs.models import Need, NeedStatus
from privacy.redaction import REDACTED as M
from tests.factories.accounts import UserFactory
from tests.factories.needs import NeedFactory, SourceSystemFactory, push_synthetic

pytestmark = pytest.mark.django_db

HELD_TITLE = f"{M}家庭冬季生活物资"
HELD_SUMMARY = f"{M}（身份证{M}），家庭收入低，冬季需要棉被。联系电话{M}，住{M}。"


def _public_texts(client, code: str) -> dict[str, str]:
    """The need's title and summary as the API list, the API detail, the list page and the need
    page show them."""
    [listed] = [need for need in client.get("/api/v1/needs/").json()["results"] if need["code"] == code]
    detail = client.get(f"/api/v1/needs/{code}/").json()
    assert (listed["title"], listed["summary"]) == (detail["title"], detail["summary"])
    return {
        "title": detail["title"],
        "summary": detail["summary"],
        "list": client.get("/needs/").text,
        "page": client.get(f"/needs/{code}/").text,
    }


def test_a_need_pushed_with_identity_in_its_texts_is_published_readable(client, settings):
    settings.K_ANONYMITY_K = 1  # published at county level at once
    system = SourceSystemFactory(region_code="420100")
    [result] = push_synthetic(system, "R-1", county_code="420111", need_type="basic_living", seed=3)
    need = Need.objects.get(code=result.need_code)
    assert need.status == NeedStatus.PUBLISHED
    assert need.title.startswith(M)  # stored as redacted: the source of what is shown

    shown = _public_texts(client, need.code)

    composed = f"洪山区 · 基本生活 · {need.age_band} · {need.household_size_band}家庭"
    assert shown["title"] == composed
    assert shown["summary"] == f"家庭收入低，冬季需要棉被、米油等生活物资。{M}希望尽快得到帮助。"
    assert f'<span class="need-card__title">{composed}</span>' in shown["list"]
    assert f'<h1 id="need-title" class="page-title">{composed}</h1>' in shown["page"]
    for html in (shown["list"], shown["page"]):
        assert f"{M}（身份证" not in html and f"联系电话{M}" not in html and f"{M}家庭" not in html


@pytest.mark.parametrize(
    ("level", "public_region", "title"),
    [
        ("000000", "420111", "洪山区 · 医疗 · 60-69岁 · 3-4人家庭"),
        ("100000", "420100", "武汉市 · 医疗 · 60-69岁 · 3-4人家庭"),
        ("121200", "420100", "武汉市 · 医疗"),  # age, sex and household size withheld: not in the title
    ],
)
def test_the_composed_title_shows_what_is_published_at_the_needs_level(client, level, public_region, title):
    need = NeedFactory(
        title=HELD_TITLE,
        summary=HELD_SUMMARY,
        region="420111",
        public_region=public_region,
        generalization=level,
        age_band="60-69岁",
        sex="female",
        household_size_band="3-4人",
    )
    shown = _public_texts(client, need.code)
    assert shown["title"] == title
    assert shown["summary"] == "家庭收入低，冬季需要棉被。"


def test_the_composed_title_is_in_the_visitors_language(client):
    need = NeedFactory(title=M, region="420111", age_band="70-79岁", household_size_band="2人")
    detail = client.get(f"/api/v1/needs/{need.code}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["title"] == "洪山区 · Medical · 70-79岁 · 2人 household"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("困难家庭冬季生活物资", "困难家庭冬季生活物资"),
        (f"独居老人申请上门照料服务{M}", f"独居老人申请上门照料服务{M}"),  # 5 of 17 characters
        (f"申请照料{M}", "洪山区 · 医疗 · 60-69岁 · 3-4人家庭"),  # 5 of 9: mostly marks
    ],
)
def test_a_title_that_is_mostly_text_is_kept(client, stored, shown):
    need = NeedFactory(title=stored, region="420111", age_band="60-69岁", household_size_band="3-4人")
    assert _public_texts(client, need.code)["title"] == shown


# --- the caseworker sees what the public will read ----------------------------------------------


@pytest.fixture
def held(db):
    return NeedFactory(
        pending_review=True,
        title=HELD_TITLE,
        summary=HELD_SUMMARY,
        region="420111",
        need_type="basic_living",
        age_band="60-69岁",
        household_size_band="3-4人",
        hold_reasons=[{"code": "residual_risk", "detail": ""}],
    )


def test_the_review_page_shows_what_the_public_will_read_beside_the_source(client, held):
    client.force_login(UserFactory(caseworker=True))
    response = client.get(f"/admin/review/{held.code}/")
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [shown["title"] for shown in preview["titles"]] == [
        "洪山区 · 基本生活 · 60-69岁 · 3-4人家庭",
        "武汉市 · 基本生活 · 60-69岁 · 3-4人家庭",
        "武汉市 · 基本生活",
    ]
    assert preview["summary"] == "家庭收入低，冬季需要棉被。"
    html = response.text
    assert "公众实际读到的文字" in html
    assert "按县级:" in html and "<strong>武汉市 · 基本生活 · 60-69岁 · 3-4人家庭</strong>" in html
    # The source, as stored, stays in the form to edit.
    assert f'value="{HELD_TITLE}"' in html


def test_the_caseworker_can_preview_an_edited_text_without_saving_it(client, held):
    client.force_login(UserFactory(caseworker=True))
    response = client.post(
        f"/admin/review/{held.code}/",
        {
            "action": ["approve", "preview"],
            "title": "困难家庭冬季生活物资",
            "summary": f"老人独居，电话：{M}。",
        },
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [shown["title"] for shown in preview["titles"]] == ["困难家庭冬季生活物资"]
    assert preview["summary"] == "老人独居。"
    held.refresh_from_db()
    assert (held.status, held.title) == (NeedStatus.PENDING_REVIEW, HELD_TITLE)
