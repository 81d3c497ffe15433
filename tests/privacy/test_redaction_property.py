"""Property: whatever way a record's identity is written into its text, none of it survives.

Each example builds a synthetic household (a name from common surnames and given-name
characters, a valid ID number, a mobile phone, a Hubei address), writes its values into
ordinary need text in the ways caseworkers and departments write them (张某, spaced or
full-width numbers, +86, parts of the address), adds other people's identifiers (a bank card,
an e-mail, QQ and WeChat ids, a licence plate, a birth date), and checks that after ``redact``
none of the values is left, in any width, and ``detect`` finds nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from privacy.identity import make_id_number
from privacy.names import COMMON_SURNAMES, COMPOUND_SURNAMES
from privacy.redaction import IdentityValues, detect, normalize_text, redact
from tests.privacy.helpers import full_width, luhn_complete

T = TypeVar("T")

# Under mutation testing (bench/mutation.py sets MUTATION_TESTING=1) these properties run for
# every mutant of privacy/redaction.py, about 40 s at full size (3 ms an example, more under
# mutmut), and a failure is then shrunk: the run would take hours. There each property runs a
# twentieth of its examples (at least 100) and stops at the first failure without shrinking it:
# a mutant is detected or not, nobody reads the example. Everywhere else, the full size.
UNDER_MUTATION = bool(os.environ.get("MUTATION_TESTING"))
PHASES = (Phase.explicit, Phase.reuse, Phase.generate) if UNDER_MUTATION else tuple(Phase)


def examples(full: int) -> int:
    return max(full // 20, 100) if UNDER_MUTATION else full


SURNAMES = [*COMMON_SURNAMES, *COMPOUND_SURNAMES[:4]]
GIVEN_CHARACTERS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚桂兰玉梅红霞辉鹏志海波宇浩"
PLACE_WORDS = ["幸福", "和平", "解放", "建设", "友谊", "光明", "中山", "民主", "新华", "胜利", "团结", "红旗"]
PLACE_WORDS += ["长江", "汉江", "东湖", "青山", "白沙", "桂花", "张湾", "花园", "李家", "珞喻", "狮子山"]
# (city, county, county code); the province-administered units have no county part.
COUNTIES = [
    ("武汉市", "洪山区", "420111"),
    ("武汉市", "江夏区", "420115"),
    ("黄石市", "大冶市", "420281"),
    ("宜昌市", "夷陵区", "420506"),
    ("襄阳市", "襄州区", "420607"),
    ("荆州市", "监利县", "421023"),
    ("荆州市", "沙市区", "421002"),
    ("黄冈市", "黄州区", "421102"),
    ("恩施土家族苗族自治州", "恩施市", "422801"),
    ("仙桃市", "", "429004"),
]
FILLER = [
    "该户家庭生活困难",
    "需要医疗费用2000元",
    "家中3人户",
    "2024年因病住院",
    "孩子正在上小学",
    "希望爱心人士帮助",
    "房屋漏雨需要修缮",
    "目前靠低保维持生活",
    "老人行动不便",
    "申请临时救助",
    "经社区审核属实",
    "月收入不足1500元",
    "自付部分仍有12000元",
    "2024年5月提交申请",
    "房屋为2室1厅",
    "请与经办人联系",
    "已享受医疗救助",
    "家庭成员均无稳定收入",
]
SEPARATORS = ["，", "。", " ", "；", "、", "\n", "：", "（", "）"]


@dataclass(frozen=True)
class Household:
    surname: str
    given: str
    id_number: str
    phone: str
    address: str
    named_parts: tuple[str, ...]
    numbered_part: str

    @property
    def name(self) -> str:
        return self.surname + self.given

    def mentions(self, variant: int) -> list[str]:
        """Every way the text may mention one identity value; ``variant`` picks among them."""
        name, number, phone = self.name, self.id_number, self.phone
        names = [name, self.surname + "某", self.surname + "某某", " ".join(name), "户主" + name]
        if len(self.given) >= 2:
            names.append(self.given)
        ids = [
            number,
            number.lower(),
            f"{number[:6]} {number[6:14]} {number[14:]}",
            " ".join(number[i : i + 4] for i in range(0, 18, 4)),
            f"{number[:6]}-{number[6:14]}-{number[14:]}",
        ]
        phones = [
            phone,
            f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
            f"+86-{phone[:3]}-{phone[3:7]}-{phone[7:]}",
            f"0086{phone}",
            f"{phone[:3]} {phone[3:7]} {phone[7:]}",
            f"({phone[:3]}){phone[3:]}",
        ]
        address = self.address
        addresses = [
            address,
            address.removeprefix("湖北省"),
            address[address.index(self.named_parts[0]) :],
            *self.named_parts,
            self.numbered_part,
        ]
        return [
            names[variant % len(names)],
            ["身份证号", "", "证件号码："][variant % 3] + ids[variant % len(ids)],
            ["电话", "", "手机："][variant % 3] + phones[variant % len(phones)],
            ["家住", "", "地址："][variant % 3] + addresses[variant % len(addresses)],
        ]


_WORD = 2**24


class _Choices:
    """Many small choices decoded from one drawn byte string, three bytes per number.

    One ``binary`` draw instead of dozens of separate draws keeps 10,000 examples within the
    time budget, and unlike one huge integer (which Hypothesis draws mostly near 0) its bytes
    vary evenly. Shrinking still works: smaller bytes pick earlier options.
    """

    def __init__(self, data: bytes) -> None:
        self.values = [int.from_bytes(data[i : i + 3], "big") for i in range(0, len(data) - 2, 3)]
        self.values.reverse()

    def number(self, low: int, high: int) -> int:
        span = high - low + 1
        value, capacity = 0, 1
        while capacity < span:
            value = value * _WORD + (self.values.pop() if self.values else 0)
            capacity *= _WORD
        return low + value % span

    def pick(self, options: Sequence[T]) -> T:
        return options[self.number(0, len(options) - 1)]

    def day(self, low: date, high: date) -> date:
        return low + timedelta(days=self.number(0, (high - low).days))


def _choices(draw: st.DrawFn, *, min_numbers: int = 24, max_numbers: int = 24) -> _Choices:
    return _Choices(draw(st.binary(min_size=3 * min_numbers, max_size=3 * max_numbers)))


@st.composite
def households(draw: st.DrawFn) -> Household:
    choose = _choices(draw)
    surname = choose.pick(SURNAMES)
    given = "".join(choose.pick(GIVEN_CHARACTERS) for _ in range(choose.number(1, 2)))
    city, county_name, code = choose.pick(COUNTIES)
    first, second = choose.pick(PLACE_WORDS), choose.pick(PLACE_WORDS)
    id_number = make_id_number(
        region_code=code,
        birth_date=choose.day(date(1925, 1, 1), date(2024, 12, 31)),
        sequence=choose.number(0, 499),
        female=choose.pick((True, False)),
    )
    phone = str(choose.number(13_000_000_000, 19_999_999_999))
    number, unit = choose.number(1, 999), choose.number(1, 6)
    if choose.pick((True, False)) or first == second:
        road = f"{first}路"
        numbered = f"{choose.number(1, 30)}栋{unit}单元{choose.number(101, 2802)}室"
        detail = f"{road}{number}号{numbered}"
        named: tuple[str, ...] = (road,)
    else:
        town, village = f"{first}镇", f"{second}村"
        numbered = f"{unit * 2}组{number}号"
        detail = f"{town}{village}{numbered}"
        named = (town, village)
    return Household(
        surname=surname,
        given=given,
        id_number=id_number,
        phone=phone,
        address=f"湖北省{city}{county_name}{detail}",
        named_parts=named,
        numbered_part=numbered,
    )


@dataclass(frozen=True)
class Others:
    """Identifiers of other people that the text happens to mention."""

    card: str
    email: str
    qq: str
    wechat: str
    plate: str
    birth_date: str

    @property
    def birth_date_forms(self) -> list[str]:
        born = date.fromisoformat(self.birth_date)
        return [
            f"{born.year}年{born.month}月{born.day}日",
            f"{born:%Y-%m-%d}",
            f"{born.year}/{born.month}/{born.day}",
            f"{born:%Y.%m.%d}",
        ]

    @property
    def plate_forms(self) -> list[str]:
        return [self.plate, self.plate[:2] + "·" + self.plate[2:]]

    def mentions(self, variant: int) -> list[str]:
        card, dates = self.card, self.birth_date_forms
        cards = [card, " ".join(card[i : i + 4] for i in range(0, len(card), 4))]
        return [
            "银行卡号" + cards[variant % 2],
            "邮箱" + self.email,
            ["QQ：", "qq号", "扣扣"][variant % 3] + self.qq,
            ["微信：", "微信号", "wx:", "WeChat "][variant % 4] + self.wechat,
            "车牌" + self.plate_forms[variant % 2],
            ["出生于", "生日", ""][variant % 3] + dates[variant % 4],
        ]


@st.composite
def other_identifiers(draw: st.DrawFn) -> Others:
    choose = _choices(draw)
    qq = choose.number(10_000_000, 99_999_999_999)
    plate_number = choose.number(0, 99_999)
    card_length = choose.pick((16, 19))
    card_body = choose.number(10 ** (card_length - 4), 10 ** (card_length - 3) - 1)
    return Others(
        card=luhn_complete(f"62{card_body}"),
        email=f"{choose.pick(['zhang.san', 'lisi', 'wang_wu', 'help', 'a'])}{qq % 1000}@"
        + choose.pick(["qq.com", "163.com", "example.com.cn"]),
        qq=str(qq),
        wechat=choose.pick(["zhang_", "li", "wangwu", "aid_", "x"]) + str(choose.number(10_000, 10**9)),
        plate=f"鄂{choose.pick('ABCDEFGHJKLMNPQRS')}{choose.pick(['D', '', ''])}{plate_number:05d}",
        birth_date=choose.day(date(1930, 1, 1), date(2024, 12, 31)).isoformat(),
    )


_SOURCES = ("identity", "filler", "identity", "other")
_PICK_RANGE = len(_SOURCES) * 6 * 60 * 2 * len(SEPARATORS)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Household, Others, str]:
    household = draw(households())
    others = draw(other_identifiers())
    # Each piece of text is one number: its source, which mention, which variant, full-width
    # or not, and the separator before it.
    picks = _choices(draw, min_numbers=6, max_numbers=16)
    text = FILLER[0]
    for pick in reversed(picks.values):
        pick, source = divmod(pick % _PICK_RANGE, len(_SOURCES))
        pick, which = divmod(pick, 6)
        pick, variant = divmod(pick, 60)
        separator, wide = divmod(pick, 2)
        if _SOURCES[source] == "filler":
            piece = FILLER[variant % len(FILLER)]
        else:
            mentions = (
                household.mentions(variant) if _SOURCES[source] == "identity" else others.mentions(variant)
            )
            piece = mentions[which % len(mentions)]
            if wide:
                piece = full_width(piece)
        text += SEPARATORS[separator] + piece
    return household, others, text


def _compact(text: str) -> str:
    return re.sub(r"[\s\-+()]", "", text).upper()


@settings(
    max_examples=examples(10_000), phases=PHASES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(cases())
def test_no_identity_value_survives_redaction(case: tuple[Household, Others, str]) -> None:
    household, others, text = case
    identity = IdentityValues(
        names=[household.name],
        id_numbers=[household.id_number],
        phones=[household.phone],
        address=household.address,
    )
    redacted = redact(text, identity=identity).text
    assert detect(redacted) == []
    # The published text keeps the original's full-width characters; compare normalized.
    result = normalize_text(redacted)
    compact = _compact(result)

    for value in (household.name, household.surname + "某", *household.named_parts, household.address):
        assert value not in result
    if len(household.given) >= 2:
        assert household.given not in result
    assert household.id_number[:17] not in compact
    assert household.phone not in compact
    for value in (others.email, others.wechat, *others.birth_date_forms, *others.plate_forms):
        assert value not in result
    for value in (others.card, others.qq):
        assert value not in compact


# --- every identifier in every spelling of its digits (issue 9, item 1) ------------------------------

# How each digit may be written: ASCII, full-width, Chinese numerals (〇/○/零 for 0, 幺 for 1,
# 两 for 2) and the capital numerals of cheques.
DIGIT_FORMS = {
    digit: [digit, full_width(digit), lower, capital, *extra]
    for digit, lower, capital, extra in zip(
        "0123456789",
        "〇一二三四五六七八九",
        "零壹贰叁肆伍陆柒捌玖",
        [["○", "零"], ["幺"], ["两"], [], [], [], [], [], [], []],
        strict=True,
    )
}
NUMBER_SEPARATORS = ["", " ", "\u3000", "-", "－", "、", "，", ",", ".", "·", "  "]
# The text around the number holds no digit and no numeral, so none may be left afterwards.
NUMBER_KEYWORDS = ["电话", "联系电话：", "手机号", "身份证号", "证件号码：", "卡号", "座机", "号码是", ""]
NUMBER_CONTEXT = ["该户家庭生活困难", "希望爱心人士帮助", "请与经办人联系", "老人行动不便", "已享受医疗救助"]
CUTS = ["（本人）", "，备用", "转", " 手机 ", "/"]
IDENTIFIER_KINDS = ["own_phone", "own_id_number", "mobile", "landline", "id_number", "bank_card"]
# The test's own reading of every digit form, to look for what survived.
DIGIT_OF = {form: digit for digit, forms in DIGIT_FORMS.items() for form in forms}


@st.composite
def identifiers(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(IDENTIFIER_KINDS))
    choose = _choices(draw, min_numbers=8, max_numbers=8)
    if kind in ("own_phone", "mobile"):
        value = str(choose.number(13_000_000_000, 19_999_999_999))
    elif kind == "landline":
        area = choose.pick(["027", "010", "0717", "0716", "0719"])
        local = str(choose.number(2, 9)) + str(choose.number(0, 10 ** (10 - len(area)) - 1)).zfill(
            10 - len(area)
        )
        value = area + local
    elif kind in ("own_id_number", "id_number"):
        value = make_id_number(
            region_code=choose.pick(COUNTIES)[2],
            birth_date=choose.day(date(1925, 1, 1), date(2024, 12, 31)),
            sequence=choose.number(0, 499),
            female=choose.pick((True, False)),
        )
    else:
        length = choose.pick((16, 19))
        value = luhn_complete("62" + str(choose.number(10 ** (length - 4), 10 ** (length - 3) - 1)))
    return kind, value


def _spell(draw: st.DrawFn, value: str, *, cut: bool) -> str:
    forms = [draw(st.sampled_from(DIGIT_FORMS[char])) if char.isdigit() else char for char in value]
    separator = draw(st.sampled_from(NUMBER_SEPARATORS))
    grouped = draw(st.booleans())
    pieces: list[str] = []
    for index, form in enumerate(forms):
        # Between every character, or between groups of four (138 0013 8000 reads as 1380 0138 000).
        if index and (not grouped or index % 4 == 0):
            pieces.append(separator)
        pieces.append(form)
    if cut:
        at = draw(st.integers(min_value=3, max_value=len(pieces) - 3))
        pieces.insert(at, draw(st.sampled_from(CUTS)))
    return "".join(pieces)


@settings(
    max_examples=examples(1_500), phases=PHASES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(identifiers(), st.data())
def test_no_digit_of_an_identifier_survives_in_any_spelling(
    identifier: tuple[str, str], data: st.DataObject
) -> None:
    kind, value = identifier
    own = kind.startswith("own_")
    written = _spell(data.draw, value, cut=own and data.draw(st.booleans()))
    before, after = data.draw(st.sampled_from(NUMBER_CONTEXT)), data.draw(st.sampled_from(NUMBER_CONTEXT))
    text = f"{before}，{data.draw(st.sampled_from(NUMBER_KEYWORDS))}{written}，{after}"
    identity = IdentityValues(
        phones=[value] if kind == "own_phone" else [], id_numbers=[value] if kind == "own_id_number" else []
    )
    result = redact(text, identity=identity if own else IdentityValues()).text
    left = "".join(DIGIT_OF.get(char, "") for char in normalize_text(result) + result)
    assert left == "", (text, result)
    assert before in result and after in result
