"""The caseworker's review queue: scope, approve (k-anonymity ladder), reject."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marketplace.needs.gate import HOLD_RESIDUAL_RISK, HOLD_THIN_CLASS
from marketplace.needs.models import Need, NeedStatus, NeedTransition
from marketplace.needs.placement import CASEWORKER_APPROVED
from marketplace.needs.services.review import need_review_approve, need_review_reject
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.needs import SourceSystemFactory, push_synthetic

pytestmark = pytest.mark.django_db

# 王阿姨 is no one's own name in the record, so redaction keeps it and the residual-risk
# heuristics hold the need for review.
RISKY_TITLE = "王阿姨家庭冬季生活困难"
CLEAN_TITLE = "困难家庭冬季生活物资"


@pytest.fixture
def wuhan():
    system = SourceSystemFactory(region_code="420100")
    return system


def held_need(
    system, ref="H-1", county_code="420111", need_type="basic_living", seed=0, title=RISKY_TITLE
) -> Need:
    [result] = push_synthetic(
        system, ref, county_code=county_code, need_type=need_type, seed=seed, title=title
    )
    assert result.status == "held", result
    need = Need.objects.get(code=result.need_code)
    assert need.hold_reasons[0]["code"] == HOLD_RESIDUAL_RISK
    return need


@pytest.fixture
def caseworker():
    return UserFactory(caseworker=True)  # Hongshan district, 420111


@pytest.fixture
def other_caseworker():
    return UserFactory(caseworker=True, region=Region.objects.get(code="420102"))  # Jiang'an district


def approve(client, need, title=CLEAN_TITLE, summary="家庭收入低，需要冬季生活物资。"):
    return client.post(
        f"/admin/review/{need.code}/", {"action": "approve", "title": title, "summary": summary}
    )


def test_the_queue_shows_only_the_caseworkers_region(client, wuhan, caseworker):
    mine = held_need(wuhan, "H-1", county_code="420111")
    theirs = held_need(wuhan, "H-2", county_code="420102", seed=7)
    client.force_login(caseworker)
    response = client.get("/admin/review/")
    assert response.status_code == 200
    assert mine.code in response.text
    assert theirs.code not in response.text


def test_a_caseworker_of_another_county_cannot_open_or_act_on_a_need(client, wuhan, other_caseworker):
    need = held_need(wuhan)
    client.force_login(other_caseworker)
    assert client.get(f"/admin/review/{need.code}/").status_code == 404
    assert approve(client, need).status_code == 404
    response = client.post(f"/admin/review/{need.code}/", {"action": "reject", "reason": "不符合条件"})
    assert response.status_code == 404
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING_REVIEW


def test_the_services_refuse_an_actor_outside_the_needs_region(wuhan, other_caseworker):
    need = held_need(wuhan)
    with pytest.raises(PermissionDenied):
        need_review_approve(need=need, actor=other_caseworker, title=CLEAN_TITLE, summary="")
    with pytest.raises(PermissionDenied):
        need_review_reject(need=need, actor=other_caseworker, reason="不符合条件")


def test_staff_without_the_caseworker_role_may_not_review(client, wuhan):
    held_need(wuhan)
    client.force_login(UserFactory(supervisor=True))
    response = client.get("/admin/review/")
    # Wagtail answers PermissionDenied in its admin with a redirect to the dashboard.
    assert (response.status_code, response.get("Location")) == (302, "/admin/")


def test_the_review_page_shows_the_redacted_draft_and_why_it_is_held(client, wuhan, caseworker):
    need = held_need(wuhan)
    client.force_login(caseworker)
    response = client.get(f"/admin/review/{need.code}/")
    assert response.status_code == 200
    assert RISKY_TITLE in response.text
    assert response.context["reasons"]  # the hold reason, described
    assert need.get_need_type_display() in response.text


def test_approve_publishes_and_records_the_caseworker(client, wuhan, caseworker, settings):
    settings.K_ANONYMITY_K = 1
    need = held_need(wuhan)
    client.force_login(caseworker)
    response = approve(client, need)
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.PUBLISHED
    assert need.title == CLEAN_TITLE
    assert need.hold_reasons == []
    assert need.published_at is not None
    transition = need.transitions.get(to_status=NeedStatus.PUBLISHED)
    assert (transition.from_status, transition.actor) == (NeedStatus.PENDING_REVIEW, caseworker)


def test_approve_without_enough_similar_needs_waits_for_the_cohort(client, wuhan, caseworker, settings):
    settings.K_ANONYMITY_K = 5
    need = held_need(wuhan)
    client.force_login(caseworker)
    assert approve(client, need).status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING_REVIEW
    assert need.awaiting_cohort
    assert need.hold_reasons == [{"code": HOLD_THIN_CLASS, "detail": CASEWORKER_APPROVED}]
    assert need.title == CLEAN_TITLE
    assert NeedTransition.objects.filter(need=need, actor=caseworker).exists()

    # Four more urgent needs of the same type in Wuhan complete the class at its coarsest level,
    # which the caseworker's approval allows: intake publishes all five.
    results = push_synthetic(
        wuhan, ["S-1", "S-2", "S-3", "S-4"], need_type="basic_living", seed=100, urgency="urgent"
    )
    codes = [result.need_code for result in results]
    assert Need.objects.filter(code__in=codes, status=NeedStatus.PUBLISHED).count() == 4
    need.refresh_from_db()
    assert need.status == NeedStatus.PUBLISHED
    assert not need.awaiting_cohort


def test_approve_publishes_the_waiting_needs_it_completes(wuhan, caseworker, settings):
    settings.K_ANONYMITY_K = 3
    # Urgent, so they may wait at the coarsest level where the approval meets them.
    waiting = push_synthetic(wuhan, ["W-1", "W-2"], need_type="education", seed=200, urgency="urgent")
    assert [result.status for result in waiting] == ["held", "held"]
    need = held_need(wuhan, need_type="education", seed=300)

    outcome = need_review_approve(need=need, actor=caseworker, title=CLEAN_TITLE, summary="")

    assert outcome.published
    assert sorted(outcome.cohort) == sorted(result.need_code for result in waiting)
    published = Need.objects.filter(status=NeedStatus.PUBLISHED)
    assert published.count() == 3
    assert len({(n.public_region_id, n.generalization) for n in published}) == 1
    for other in published.exclude(pk=need.pk):
        assert other.transitions.filter(to_status=NeedStatus.PUBLISHED, actor=caseworker).exists()


def test_approve_refuses_a_title_that_still_holds_a_phone_number(client, wuhan, caseworker, settings):
    settings.K_ANONYMITY_K = 1
    need = held_need(wuhan)
    client.force_login(caseworker)
    response = approve(client, need, title="困难家庭，联系电话13800138000")
    assert response.status_code == 200
    assert "13800138000" in str(response.context["review_form"].errors["title"])
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING_REVIEW
    assert need.title == RISKY_TITLE


def test_the_service_refuses_detected_identifiers_in_the_summary(wuhan, caseworker):
    need = held_need(wuhan)
    with pytest.raises(ValidationError) as error:
        need_review_approve(
            need=need, actor=caseworker, title=CLEAN_TITLE, summary="身份证420111199001011237，请联系"
        )
    assert "summary" in error.value.message_dict


def test_reject_requires_a_reason(client, wuhan, caseworker):
    need = held_need(wuhan)
    client.force_login(caseworker)
    response = client.post(f"/admin/review/{need.code}/", {"action": "reject", "reason": "  "})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"]
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING_REVIEW

    response = client.post(
        f"/admin/review/{need.code}/", {"action": "reject", "reason": "已享受同类救助，重复申请"}
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.REJECTED
    transition = need.transitions.get(to_status=NeedStatus.REJECTED)
    assert (transition.actor, transition.note) == (caseworker, "已享受同类救助，重复申请")


def test_a_rejection_reason_may_not_store_an_id_number(wuhan, caseworker):
    need = held_need(wuhan)
    with pytest.raises(ValidationError):
        need_review_reject(need=need, actor=caseworker, reason="身份证号420111199001011237有误")
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING_REVIEW


def test_a_decided_need_leaves_the_queue(client, wuhan, caseworker):
    need = held_need(wuhan)
    need_review_reject(need=need, actor=caseworker, reason="不符合条件")
    client.force_login(caseworker)
    assert need.code not in client.get("/admin/review/").text
    assert client.get(f"/admin/review/{need.code}/").status_code == 404


def test_the_menu_item_is_shown_to_caseworkers_only(client, caseworker):
    client.force_login(caseworker)
    assert "/admin/review/" in client.get("/admin/").text
    client.force_login(UserFactory(supervisor=True))
    assert "/admin/review/" not in client.get("/admin/").text


# --- places below the city and numbers in numerals (issue 9) --------------------------------------


def test_a_held_text_naming_a_district_shows_why_it_cannot_be_approved(client, wuhan, caseworker):
    need = held_need(wuhan, title="江夏区困难家庭冬季生活物资")
    client.force_login(caseworker)
    response = client.get(f"/admin/review/{need.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "文字中提到了区县“江夏区”" in response.text
    assert "此文字不能按原样审核通过" in response.text


@pytest.mark.parametrize(
    ("field", "text", "place"),
    [
        ("title", "江夏区困难家庭冬季生活物资", "江夏区"),
        ("summary", "家住宜昌市西陵区，需要冬季生活物资。", "西陵区"),
        ("summary", "长阳县的困难家庭", "长阳县"),
        ("summary", "大冶市的困难家庭", "大冶市"),
    ],
)
def test_approval_of_a_text_naming_a_district_or_county_is_refused(
    wuhan, caseworker, settings, field, text, place
):
    settings.K_ANONYMITY_K = 1
    need = held_need(wuhan)
    texts = {"title": CLEAN_TITLE, "summary": "家庭收入低。", field: text}
    with pytest.raises(ValidationError) as error:
        need_review_approve(need=need, actor=caseworker, **texts)
    assert place in str(error.value.message_dict[field])
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING_REVIEW


def test_the_refusal_is_shown_in_chinese_on_the_review_page(client, wuhan, caseworker, settings):
    settings.K_ANONYMITY_K = 1
    need = held_need(wuhan)
    client.force_login(caseworker)
    response = client.post(
        f"/admin/review/{need.code}/",
        {"action": "approve", "title": CLEAN_TITLE, "summary": "家住洪山区，需要帮助"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "请删除后再审核通过" in str(response.context["review_form"].errors["summary"])
    need.refresh_from_db()
    assert need.status == NeedStatus.PENDING_REVIEW


@pytest.mark.parametrize(
    "text", ["武汉市的困难家庭", "仙桃市的困难家庭", "荆州区域内的困难家庭", "恩施州的困难家庭"]
)
def test_city_names_do_not_block_approval(wuhan, caseworker, settings, text):
    settings.K_ANONYMITY_K = 1
    need = held_need(wuhan)
    outcome = need_review_approve(need=need, actor=caseworker, title=CLEAN_TITLE, summary=text)
    assert outcome.published


def test_approval_refuses_a_phone_number_written_in_numerals(wuhan, caseworker):
    need = held_need(wuhan)
    with pytest.raises(ValidationError) as error:
        need_review_approve(
            need=need, actor=caseworker, title=CLEAN_TITLE, summary="电话幺三八 零零幺三 八零零零"
        )
    assert "summary" in error.value.message_dict


def test_the_review_page_warns_of_numbers_left_in_numerals(client, wuhan, caseworker):
    need = held_need(wuhan)
    client.force_login(caseworker)
    response = client.post(
        f"/admin/review/{need.code}/",
        {"action": "approve", "title": "", "summary": "证件四二〇一〇二一九九〇"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "用中文数字书写的较长数字" in response.text


@pytest.mark.parametrize(
    "url", ["/admin/review/N%00X/", "/admin/assistance-chain/need/N%00X/", "/admin/review/N%E2%80%AEX/"]
)
def test_a_back_office_need_code_that_cannot_exist_is_a_404(client, caseworker, url):
    """PostgreSQL refuses a NUL byte in text: the route answers 404 before any query, not 500."""
    client.force_login(caseworker)
    assert client.get(url).status_code == 404
