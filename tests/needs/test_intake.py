"""The intake API as a source system uses it."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from marketplace.needs.models import Need, NeedStatus, NeedTransition
from marketplace.needs.services.sources import source_system_create

pytestmark = pytest.mark.django_db


def results(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["source_ref"]: row for row in response.json()["results"]}


@pytest.fixture
def publish_at_once(settings):
    settings.K_ANONYMITY_K = 1


def test_a_valid_record_becomes_a_need_without_identity(api, make_record, publish_at_once):
    record = make_record("R-1")
    row = results(api.push([record]))["R-1"]
    assert row["status"] == "created"
    need = Need.objects.get(code=row["need_code"])
    assert need.status == NeedStatus.PUBLISHED
    stored = json.dumps(
        [str(getattr(need, field.attname)) for field in Need._meta.concrete_fields], ensure_ascii=False
    )
    household = record["household"]
    for value in (household["name"], household["id_number"], household["phone"], household["address"]):
        assert value not in stored
    assert need.household_token.startswith("dev:")
    assert NeedTransition.objects.filter(need=need, to_status=NeedStatus.PUBLISHED).exists()


def test_the_same_record_again_changes_nothing(api, make_record, publish_at_once):
    record = make_record("R-1")
    first = results(api.push([record]))["R-1"]
    again = results(api.push([record]))["R-1"]
    assert again == {**first, "status": "unchanged"}
    assert Need.objects.count() == 1


def test_a_higher_version_updates_and_a_lower_is_ignored(api, make_record, publish_at_once):
    record = make_record("R-1", version=2)
    code = results(api.push([record]))["R-1"]["need_code"]

    newer = {**record, "version": 3, "requested_amount": "1234.00", "medical": None, "need_type": "education"}
    assert results(api.push([newer]))["R-1"]["status"] == "updated"
    need = Need.objects.get(code=code)
    assert (need.version, need.target_amount) == (3, 1234)

    older = {**record, "version": 1, "requested_amount": "99.00"}
    row = results(api.push([older]))["R-1"]
    assert row["status"] == "unchanged"
    assert Need.objects.get(code=code).target_amount == 1234


def test_same_version_with_other_content_is_refused(api, make_record, publish_at_once):
    record = make_record("R-1", version=2)
    api.push([record])
    row = results(api.push([{**record, "title": "另一个标题"}]))["R-1"]
    assert row["status"] == "rejected"
    assert "version" in row["errors"]


def test_records_fail_one_by_one_and_nothing_of_a_rejected_one_is_stored(api, make_record, publish_at_once):
    good = make_record("GOOD")
    bad = make_record(
        "BAD", needed_by=(timezone.localdate() - timedelta(days=1)).isoformat(), need_type="spaceflight"
    )
    bad["household"] = {**bad["household"], "id_number": bad["household"]["id_number"][:-1] + "0"}
    bad["household"]["id_number"] = _wrong_check(bad["household"]["id_number"])
    rows = results(api.push([good, bad]))
    assert rows["GOOD"]["status"] == "created"
    assert rows["BAD"]["status"] == "rejected"
    assert set(rows["BAD"]["errors"]) == {"needed_by", "need_type", "household.id_number"}
    assert not Need.objects.filter(source_ref="BAD").exists()
    # Errors never echo what was sent.
    assert bad["household"]["id_number"] not in json.dumps(rows["BAD"], ensure_ascii=False)


def _wrong_check(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("1" if last != "1" else "2")


def test_an_id_number_from_an_abolished_county_is_accepted(api, make_record, publish_at_once):
    from privacy.identity import make_id_number

    record = make_record("JIANLI")
    record["household"]["id_number"] = make_id_number(
        region_code="421023", birth_date=date(1958, 3, 4), sequence=12, female=False
    )  # 监利县, abolished in 2020
    assert results(api.push([record]))["JIANLI"]["status"] == "created"


def test_errors_are_in_chinese_by_default(api, make_record):
    row = results(api.push([make_record("R-1", department="nasa")]))["R-1"]
    assert "未知" in row["errors"]["department"][0] or "代码" in row["errors"]["department"][0]


@pytest.mark.parametrize(
    ("region_code", "reason"),
    [("420202", "outside the source's scope"), ("110101", "not in Hubei"), ("4201", "too short")],
)
def test_region_must_be_a_hubei_county_inside_the_scope(api, make_record, region_code, reason):
    row = results(api.push([make_record("R-1", region_code=region_code)]))["R-1"]
    assert row["status"] == "rejected", reason
    assert "region_code" in row["errors"]


def test_a_finer_code_under_a_county_is_accepted(api, make_record, publish_at_once):
    row = results(api.push([make_record("R-1", region_code="420111001000")]))["R-1"]
    assert row["status"] == "created"
    assert Need.objects.get(code=row["need_code"]).region_id == "420111"


def test_amounts_have_at_most_two_decimals_and_are_not_negative(api, make_record):
    rows = results(
        api.push(
            [
                make_record("A", need_type="education", medical=None, requested_amount="10.005"),
                make_record("B", need_type="education", medical=None, requested_amount="-1"),
            ]
        )
    )
    assert rows["A"]["status"] == rows["B"]["status"] == "rejected"
    assert "requested_amount" in rows["A"]["errors"] and "requested_amount" in rows["B"]["errors"]


def test_the_same_source_ref_twice_in_one_request(api, make_record, publish_at_once):
    response = api.push([make_record("R-1"), make_record("R-1")])
    assert [row["status"] for row in response.json()["results"]] == ["created", "rejected"]


def test_malformed_json_is_a_400_in_json(client, source):
    response = client.post(
        "/api/v1/intake/needs/",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {source.api_key}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_no_records_is_a_400(api):
    response = api.push([])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_too_many_records_or_bytes_is_a_413(api, make_record, settings):
    settings.INTAKE_MAX_RECORDS = 2
    assert api.push([make_record(f"R-{n}") for n in range(3)]).status_code == 413
    settings.INTAKE_MAX_RECORDS = 500
    settings.INTAKE_MAX_BODY_BYTES = 200
    response = api.push([make_record("R-1")])
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Need.objects.exists()


@pytest.mark.parametrize("header", ["", "Api-Key wrong.key", "Bearer something", "Api-Key "])
def test_a_missing_or_wrong_key_is_a_401(client, make_record, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post(
        "/api/v1/intake/needs/", {"records": [make_record()]}, content_type="application/json", **extra
    )
    assert response.status_code == 401
    assert "code" in response.json()
    assert not Need.objects.exists()


def test_an_inactive_source_is_a_401(api, source, make_record):
    source.is_active = False
    source.save()
    assert api.push([make_record()]).status_code == 401


def test_withdrawing_a_need(api, make_record, publish_at_once):
    code = results(api.push([make_record("R-1")]))["R-1"]["need_code"]
    response = api.withdraw("R-1")
    assert response.status_code == 200
    assert response.json() == {"source_ref": "R-1", "status": "withdrawn", "need_code": code}
    assert api.withdraw("R-1").status_code == 200  # twice changes nothing
    assert api.withdraw("NOPE").status_code == 404
    # A withdrawn need is closed: sending it again does not reopen it.
    changed = make_record("R-1", title="新的标题")
    assert results(api.push([changed]))["R-1"]["status"] == "rejected"


def test_another_source_cannot_touch_my_needs(api, client, make_record, publish_at_once):
    results(api.push([make_record("R-1")]))
    _other, key = source_system_create(name="其他系统", department="health", region_code="420000")
    response = client.delete("/api/v1/intake/needs/R-1/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 404
    assert Need.objects.get(source_ref="R-1").status == NeedStatus.PUBLISHED


# --- issue 9: numerals and places below the city -----------------------------------------------

YICHANG_ADDRESS = "湖北省宜昌市西陵区夜明珠路12号3栋2单元501室"
MOBILE_IN_NUMERALS = "一三八〇〇一三八〇〇〇"


def _yichang_pair(make_record) -> list[dict]:
    """Two records of Yichang in two districts, alike in every published attribute: with k = 2
    neither class is large enough at county level, so both are published at city level."""
    first = make_record("Y-1", county_code="420502", need_type="medical")  # 西陵区
    second = make_record("Y-2", county_code="420503", need_type="medical")  # 伍家岗区
    second["household"] = {**second["household"], "size": first["household"]["size"]}
    second["household"]["id_number"] = (
        first["household"]["id_number"][:6].replace("420502", "420503")
        + (first["household"]["id_number"][6:])
    )
    first["household"] = {**first["household"], "address": YICHANG_ADDRESS, "phone": "13800138000"}
    first["title"] = "（西陵区夜明珠）住院费用缺口"
    first["description"] = (
        f"家住西陵夜明珠路附近，户主电话{MOBILE_IN_NUMERALS}一直能打通，"
        "身份证号码见材料。住院治疗后仍有自付费用。"
    )
    return [first, second]


def test_a_need_published_at_city_level_names_no_district_or_address_run(
    api, make_record, client, settings, source
):
    from privacy.identity import check_character

    settings.K_ANONYMITY_K = 2
    source.region_id = "420000"
    source.save()
    records = _yichang_pair(make_record)
    second = records[1]["household"]
    second["id_number"] = second["id_number"][:17] + check_character(second["id_number"][:17])
    rows = results(api.push(records))
    assert rows["Y-1"]["status"] == "created", rows
    need = Need.objects.get(code=rows["Y-1"]["need_code"])
    assert (need.status, need.public_region_id, need.generalization[0]) == (
        NeedStatus.PUBLISHED,
        "420500",
        "1",
    )

    def html(url: str) -> str:
        # The region filter lists every district; the need itself is what must name none.
        return re.sub(r"<select.*?</select>", "", client.get(url).content.decode(), flags=re.S)

    seen = {
        "stored": need.title + need.summary,
        "api": client.get(f"/api/v1/needs/{need.code}/").content.decode(),
        "list": client.get("/api/v1/needs/").content.decode(),
        "page": html(f"/needs/{need.code}/"),
        "listing": html("/needs/"),
    }
    address_runs = ["西陵", "夜明", "明珠", "珠路"]
    for where, text in seen.items():
        for run in address_runs:
            assert run not in text, (where, run)
        assert MOBILE_IN_NUMERALS not in text, where
        assert "13800138000" not in text, where
    assert "宜昌市" in seen["page"]


def test_a_text_naming_another_district_is_held(api, make_record, publish_at_once):
    record = make_record("R-1", county_code="420111", title="在江夏区住院的困难家庭")
    row = results(api.push([record]))["R-1"]
    assert row["status"] == "held"
    need = Need.objects.get(code=row["need_code"])
    assert need.status == NeedStatus.PENDING_REVIEW
    assert any("district or county" in reason["detail"] for reason in need.hold_reasons)


def test_the_households_own_district_is_removed_not_held(api, make_record, publish_at_once):
    record = make_record("R-1", county_code="420111", title="洪山区困难家庭住院费用")
    row = results(api.push([record]))["R-1"]
    assert row["status"] == "created"
    need = Need.objects.get(code=row["need_code"])
    assert "洪山" not in need.title


@pytest.mark.parametrize(
    "written",
    [
        "一三八〇〇一三八〇〇〇",
        "壹叁捌零零壹叁捌零零零",
        "幺三八 零零幺三 八零零零",
        "138〇〇一三8000",
        "１３８、００１３、８０００",
    ],
)
def test_own_phone_in_numerals_is_never_published(api, make_record, publish_at_once, written):
    record = make_record("R-1")
    record["household"] = {**record["household"], "phone": "13800138000"}
    record["description"] = f"联系电话{written}，家庭困难。"
    row = results(api.push([record]))["R-1"]
    need = Need.objects.get(code=row["need_code"])
    assert written not in need.summary
    assert "〔已隐去〕" in need.summary
