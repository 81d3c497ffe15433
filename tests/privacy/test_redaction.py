"""Redaction of free text: the pattern detectors, the record's own values, residual risk."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from privacy.identity import make_id_number
from privacy.redaction import (
    REDACTED,
    RESIDUAL_LONG_NUMBER,
    RESIDUAL_PERSON_NAME,
    RESIDUAL_PLACE_NAME,
    RESIDUAL_SURNAME_PLACEHOLDER,
    Hit,
    IdentityValues,
    detect,
    luhn_valid,
    normalize_text,
    redact,
    residual_risk,
)
from tests.privacy.helpers import full_width, id_number_ending_in_x, luhn_broken, luhn_complete

ID_NUMBER = make_id_number(region_code="420111", birth_date=date(1990, 1, 2), sequence=12, female=False)
ID_X = id_number_ending_in_x()
CARD_16 = luhn_complete("622202123456789")
CARD_19 = luhn_complete("622848001234567890")
NOBODY = IdentityValues()


def kinds(text: str) -> list[str]:
    return [hit.kind for hit in detect(text)]


def detected(text: str) -> list[str]:
    return [text[hit.start : hit.end] for hit in detect(text)]


def clean(text: str) -> str:
    return redact(text, identity=NOBODY).text


# --- ID numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        ID_NUMBER,
        ID_X,
        ID_X.lower(),
        f"{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}",
        " ".join(ID_NUMBER[i : i + 4] for i in range(0, 18, 4)),
        f"{ID_X[:6]}-{ID_X[6:14]}-{ID_X[14:]}",
        full_width(ID_X),
        ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"),  # wrong checksum, still an ID
        "420111900102123",  # a 15-digit number from before 1999
        "420111 900102 123",
    ],
)
def test_id_numbers_are_detected_whole(written: str) -> None:
    text = f"身份证号{written}，请核实"
    assert kinds(text) == ["id_number"]
    assert detected(text) == [written]
    assert clean(text) == f"身份证号{REDACTED}，请核实"


def test_id_number_x_is_not_taken_from_a_following_word() -> None:
    assert detected(f"号码{ID_X[:17]}Xiao") == []


# --- phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "138 - 0013 - 8000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "+8613800138000",
        "0086 13800138000",
        "86-19912345678",
        "(+86)13800138000",
        full_width("13800138000"),
        full_width("+86-138-0013-8000"),
        "１３８　００１３　８０００",
    ],
)
def test_mobile_numbers_are_detected_whole(written: str) -> None:
    text = f"联系电话：{written}。"
    assert kinds(text) == ["mobile"]
    assert detected(text) == [written]
    assert clean(text) == f"联系电话：{REDACTED}。"


@pytest.mark.parametrize(
    "written",
    [
        "027-87654321",
        "02787654321",
        "(027)87654321",
        "（０２７）８７６５４３２１",
        "0716-8123456",
        "0716 81234567",
        "010-62345678",
    ],
)
def test_landlines_are_detected_whole(written: str) -> None:
    text = f"固话{written}转总机"
    assert kinds(text) == ["landline"]
    assert detected(text) == [written]


@pytest.mark.parametrize("number", ["12345678901", "138001380001", "1380013800", "23800138000"])
def test_near_phone_numbers_are_not_phones(number: str) -> None:
    assert detect(f"编号{number}") == []


# --- bank cards ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        CARD_16,
        CARD_19,
        " ".join(CARD_16[i : i + 4] for i in range(0, 16, 4)),
        " ".join(CARD_19[i : i + 4] for i in range(0, 19, 4)),
        "-".join(CARD_19[i : i + 4] for i in range(0, 19, 4)),
        full_width(CARD_16),
        luhn_complete("620000123456"),  # 13 digits
    ],
)
def test_luhn_valid_cards_are_detected_whole(written: str) -> None:
    assert luhn_valid(normalize_text(written).replace(" ", "").replace("-", ""))
    text = f"请转账到卡号{written}谢谢"
    assert kinds(text) == ["bank_card"]
    assert detected(text) == [written]


@pytest.mark.parametrize(
    "number",
    [
        luhn_broken("622202123456789"),
        " ".join(luhn_broken("622202123456789")[i : i + 4] for i in range(0, 16, 4)),
        " ".join(luhn_broken("622848001234567890")[i : i + 4] for i in range(0, 19, 4)),
        luhn_broken("620000123456"),
    ],
)
def test_numbers_failing_luhn_are_not_cards(number: str) -> None:
    assert not luhn_valid(number.replace(" ", ""))
    assert detect(f"订单编号{number}") == []


def test_a_card_beside_a_phone_and_an_id_number_is_split_correctly() -> None:
    grouped_card = " ".join(CARD_19[i : i + 4] for i in range(0, 19, 4))
    text = f"材料 13800138000 {ID_NUMBER} {grouped_card} 齐全"
    assert kinds(text) == ["mobile", "id_number", "bank_card"]
    assert clean(text) == f"材料 {REDACTED} 齐全"


# --- keyword detectors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["zhang.san+aid@example.com.cn", "12345678@qq.com", full_width("li_si@163.com")]
)
def test_emails(written: str) -> None:
    assert detected(f"邮箱{written}。") == [written]
    assert kinds(f"邮箱{written}。") == ["email"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("QQ：12345678", "12345678"),
        ("qq号 123456", "123456"),
        ("QQ号码是 87654321", "87654321"),
        ("扣扣12345678901", "12345678901"),
        (full_width("QQ:") + "１２３４５６７８", "１２３４５６７８"),
    ],
)
def test_qq_numbers_after_the_keyword(text: str, value: str) -> None:
    assert detected(text) == [value]
    assert kinds(text) == ["qq"]
    assert clean(text).endswith(REDACTED)


@pytest.mark.parametrize("text", ["加入QQ群", "QQ 1234", "没有QQ", "扣扣子"])
def test_qq_keyword_without_a_number(text: str) -> None:
    assert detect(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("微信：zhang_san88", "zhang_san88"),
        ("微信号 wxid_abc12345", "wxid_abc12345"),
        ("加wxid_k2ab9x0c", "wxid_k2ab9x0c"),
        ("wx: ZhangSan-2020", "ZhangSan-2020"),
        ("WeChat: li_si_1990", "li_si_1990"),
        ("V信：abcdef1", "abcdef1"),
        ("vx13800138000", "13800138000"),
        ("微信 138-0013-8000", "138-0013-8000"),
    ],
)
def test_wechat_ids_after_the_keyword(text: str, value: str) -> None:
    assert detected(text) == [value]
    assert kinds(text)[0] in {"wechat", "mobile"}
    assert value not in clean(text)


def test_keyword_ids_written_back_to_back() -> None:
    text = "微信：zhang_1234567wx：li_si_2020，邮箱help@example.cnQQ：88284413459"
    result = clean(text)
    for value in ("zhang_1234567", "li_si_2020", "help@example.cn", "88284413459"):
        assert value not in result
    assert detect(result) == []


@pytest.mark.parametrize("text", ["可用微信支付", "请微信联系社工", "微信：abc", "wxyz123456"])
def test_wechat_keyword_without_an_id(text: str) -> None:
    assert detect(text) == []


@pytest.mark.parametrize(
    "plate", ["鄂A12345", "鄂A·D12345", "鄂AD12345", "鄂A12345D", "鄂E·5B6C7", "京N·F1234", "鄂a1234学"]
)
def test_licence_plates(plate: str) -> None:
    assert detected(f"车牌{plate}的车") == [plate]
    assert kinds(f"车牌{plate}的车") == ["licence_plate"]


@pytest.mark.parametrize("text", ["鄂州市", "湖北ABCDE", "鄂A股", "新ABCDEF"])
def test_not_licence_plates(text: str) -> None:
    assert detect(text) == []


# --- dates and addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1990年1月2日出生", "1990年1月2日"),
        ("生于1990年01月02号", "1990年01月02号"),
        ("1990 年 1 月 2 日", "1990 年 1 月 2 日"),
        ("生日1990-01-02", "1990-01-02"),
        ("1990/1/2", "1990/1/2"),
        ("1990.01.02", "1990.01.02"),
        ("出生日期：19900102", "19900102"),
        ("生于19900102。", "19900102"),
        (full_width("2010-12-31"), full_width("2010-12-31")),
    ],
)
def test_exact_dates(text: str, value: str) -> None:
    assert detected(text) == [value]
    assert kinds(text) == ["date"]


@pytest.mark.parametrize(
    "text", ["2024年", "2024年5月", "5月2日", "编号19900102", "1990-13-02", "2024-2025学年", "1990年13月2日"]
)
def test_not_exact_dates(text: str) -> None:
    assert detect(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("家住幸福路12号", "幸福路12号"),
        ("家住洪山区幸福路12号附近", "幸福路12号"),
        ("现居幸福村3组", "幸福村3组"),
        ("张湾村三组", "张湾村三组"),
        ("3栋2单元501室", "3栋2单元501室"),
        ("住12号楼", "12号楼"),
        ("光明社区5栋", "光明社区5栋"),
        ("解放大道1037号", "解放大道1037号"),
        ("住在5楼", "5楼"),
        ("幸福路12号3栋2单元501室", "幸福路12号3栋2单元501室"),
    ],
)
def test_detailed_addresses(text: str, value: str) -> None:
    assert detected(text) == [value]
    assert kinds(text) == ["address"]


@pytest.mark.parametrize(
    "text",
    [
        "5月12号入院",
        "依据鄂民政发〔2024〕21号文件",
        "第3组",
        "分3组",
        "乘地铁3号线",
        "2室1厅的房子",
        "3人户",
        "需要医疗费用2000元",
        "2024年申请",
        "幸福村",
        "幸福路",
    ],
)
def test_not_addresses(text: str) -> None:
    assert detect(text) == []


# --- no over-redaction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "需要医疗费用2000元",
        "3人户，月收入1500元",
        "2024年因病住院，花费3.5万元",
        "2024年5月申请临时救助",
        "孩子今年9岁，读小学三年级",
        "房屋为2室1厅，需要危房改造",
        "依据鄂民政发〔2024〕21号文件，于5月12号完成入户调查",
        "家中有2名老人、1名残疾人",
        "请通过微信支付或银行转账捐赠",
        "自付比例30%，报销后仍需自付12000元",
        "武汉市洪山区的困难家庭",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    result = redact(text, identity=NOBODY)
    assert result.text == text
    assert result.hits == Counter()
    assert not result.changed


# --- the record's own values ---------------------------------------------------------------------

HOUSEHOLD = IdentityValues(
    names=["张建国", "欧阳娜娜"],
    id_numbers=[ID_X],
    phones=["13800138000", "027-87654321"],
    address="湖北省武汉市洪山区狮子山街道幸福路12号3栋2单元501室",
)


def own(text: str) -> str:
    return redact(text, identity=HOUSEHOLD).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张建国老人", f"{REDACTED}老人"),
        ("张 建 国", REDACTED),
        ("张某需要帮助", f"{REDACTED}需要帮助"),
        ("张某某需要帮助", f"{REDACTED}需要帮助"),
        ("建国今年65岁", f"{REDACTED}今年65岁"),
        ("女儿欧阳娜娜", f"女儿{REDACTED}"),
        ("欧阳某在读", f"{REDACTED}在读"),
        ("娜娜在读", f"{REDACTED}在读"),
    ],
)
def test_own_names(text: str, expected: str) -> None:
    assert own(text) == expected


def test_a_one_character_given_name_is_not_removed_alone() -> None:
    identity = IdentityValues(names=["张伟"])
    assert redact("伟大的母亲张伟", identity=identity).text == f"伟大的母亲{REDACTED}"


def test_minority_names_with_a_dot() -> None:
    identity = IdentityValues(names=["买买提·艾力"])
    assert redact("买买提・艾力和艾力", identity=identity).text == f"{REDACTED}和{REDACTED}"


@pytest.mark.parametrize(
    "written",
    [
        ID_X,
        ID_X.lower(),
        f"{ID_X[:6]} {ID_X[6:14]} {ID_X[14:]}",
        full_width(ID_X),
        ID_X[:6] + ID_X[8:17],  # the same person's old 15-digit number
    ],
)
def test_own_id_number(written: str) -> None:
    result = redact(f"身份证{written}", identity=HOUSEHOLD)
    assert result.text == f"身份证{REDACTED}"
    assert result.hits == Counter({"own_id_number": 1})


def test_own_birth_date_from_the_id_number() -> None:
    assert own(f"生日{ID_X[6:14]}，编号{ID_X[6:14]}") == f"生日{REDACTED}，编号{REDACTED}"


@pytest.mark.parametrize(
    "written",
    ["13800138000", "+86 138 0013 8000", full_width("+86-138-0013-8000"), "(027)87654321", "87654321"],
)
def test_own_phones(written: str) -> None:
    assert own(f"电话{written}") == f"电话{REDACTED}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("湖北省武汉市洪山区狮子山街道幸福路12号3栋2单元501室", REDACTED),
        ("住武汉市洪山区幸福路12号3栋2单元501室", f"住武汉市洪山区{REDACTED}"),
        ("幸福路那边", f"{REDACTED}那边"),
        ("狮子山街道审核", f"{REDACTED}审核"),
        ("住3-2-501", f"住{REDACTED}"),
        ("洪山区的困难户", "洪山区的困难户"),
    ],
)
def test_own_address(text: str, expected: str) -> None:
    assert own(text) == expected


def test_village_address_parts() -> None:
    identity = IdentityValues(address="湖北省荆州市监利市毛市镇张湾村3组15号")
    text = "家住毛市镇张湾村，监利市"
    assert redact(text, identity=identity).text == f"家住{REDACTED}，监利市"


def test_hits_count_kinds_never_values() -> None:
    result = redact(f"张建国电话13800138000，QQ：12345678，卡号{CARD_16}", identity=HOUSEHOLD)
    assert result.hits == Counter({"name": 1, "own_phone": 1, "qq": 1, "bank_card": 1})
    assert "13800138000" not in repr(result.hits)
    assert "张建国" not in repr(HOUSEHOLD) + repr(result.hits)


def test_removal_exposes_a_further_match() -> None:
    identity = IdentityValues(phones=["13800138000"])
    result = redact("微信：zhang12313800138000", identity=identity)
    assert result.text == f"微信：{REDACTED}"
    assert detect(result.text) == []


def test_adjacent_hits_merge() -> None:
    assert own("张建国 13800138000 幸福路12号") == REDACTED


def test_redaction_is_idempotent_and_leaves_nothing_detectable() -> None:
    text = f"张建国，身份证{ID_X}，卡号{CARD_19}，住幸福村3组，车牌鄂A12345，1990年1月2日生"
    once = own(text)
    assert detect(once) == []
    assert own(once) == once


def test_the_marker_itself_is_never_detected() -> None:
    assert detect(REDACTED * 3) == []
    assert detect(f"QQ{REDACTED}微信{REDACTED}") == []
    assert redact(REDACTED, identity=IdentityValues(names=["李隐去"])).text == REDACTED


def test_detect_spans_index_the_original_text() -> None:
    text = "ﬁ电话＋８６ １３８００１３８０００"  # the ligature is two characters once normalized
    assert detect(text) == [Hit("mobile", 3, 18)]


def test_published_text_keeps_its_chinese_punctuation() -> None:
    text = "户主张建国（电话：１３８００１３８０００），需要医疗费用２０００元。"
    assert own(text) == f"户主{REDACTED}（电话：{REDACTED}），需要医疗费用２０００元。"


# --- residual risk -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("李建国老人独居", RESIDUAL_PERSON_NAME),
        ("王阿姨腿脚不便", RESIDUAL_PERSON_NAME),
        ("欧阳女士来电", RESIDUAL_PERSON_NAME),
        ("孤寡的周大爷", RESIDUAL_PERSON_NAME),
        ("李某因病致贫", RESIDUAL_SURNAME_PLACEHOLDER),
        ("陈某某", RESIDUAL_SURNAME_PLACEHOLDER),
        ("张*的女儿", RESIDUAL_SURNAME_PLACEHOLDER),
        ("住在中山路附近", RESIDUAL_PLACE_NAME),
        ("户籍在张湾村", RESIDUAL_PLACE_NAME),
        ("光明社区推荐", RESIDUAL_PLACE_NAME),
        ("电话138****8000", RESIDUAL_LONG_NUMBER),
        ("证件42**************3X", RESIDUAL_LONG_NUMBER),
        ("编号12345678", RESIDUAL_LONG_NUMBER),
    ],
)
def test_residual_risk_flags(text: str, reason: object) -> None:
    assert reason in residual_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        f"{REDACTED}老人独居,需要医疗费用2000元",
        "高龄老人行动不便",
        "白血病患者需要化疗",
        "由于某种原因无法务工",
        "偏远农村道路不便",
        "经社区审核，由街道上报",
        "走投无路的家庭",
        "2024年因病住院，3人户",
        "武汉市洪山区",
        REDACTED,
    ],
)
def test_residual_risk_is_quiet_on_clean_text(text: str) -> None:
    assert residual_risk(text) == []


def test_residual_reasons_are_english_msgids() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert [str(r) for r in residual_risk("王阿姨住在中山路")] == [
            "The text may still contain a person's name next to a title or kinship word.",
            "The text may still contain a street, village or community name.",
        ]
