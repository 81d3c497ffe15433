"""The tidy step after redaction (issue 11 item 7): what is published reads as text, not as a
row of marks and orphaned labels, and never shows more than redaction left."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy import readable
from privacy.readable import LABELS, mostly_redacted, tidy
from privacy.redaction import REDACTED, IdentityValues, detect, normalize_text, redact
from tests.privacy.test_redaction_property import (
    DIGIT_OF,
    NUMBER_CONTEXT,
    NUMBER_KEYWORDS,
    Household,
    Others,
    _compact,
    _spell,
    cases,
    identifiers,
)

M = REDACTED


@pytest.mark.parametrize(
    ("redacted", "tidied"),
    [
        # The example: a name, then its ID number in brackets, is one mark once.
        (f"{M}（身份证{M}）", M),
        (f"{M}（身份证号：{M}，电话：{M}）患病住院", f"{M}患病住院"),
        # What intake made of a demo record: labels, bracket and clauses of marks gone.
        (
            f"{M}（身份证{M}），家庭收入低，冬季需要棉被。联系电话{M}，住{M}。{M}希望尽快得到帮助。",
            f"家庭收入低，冬季需要棉被。{M}希望尽快得到帮助。",
        ),
        (f"男，65岁，联系电话：{M}", "男，65岁"),
        (f"老人独居，手机号码 {M}。需要照料。", "老人独居。需要照料。"),
        (f"家住{M}，房屋漏雨。", "房屋漏雨。"),
        (f"请联系{M}、{M}或{M}。", f"请联系{M}。"),
        # A mark inside a clause says something was there: it stays.
        (f"{M}家庭冬季生活物资", f"{M}家庭冬季生活物资"),
        (f"老人，{M}，行动不便", f"老人，{M}，行动不便"),
        # 住 is a label only at the start of a clause: 居住 is a word.
        (f"长期居住{M}", f"长期居住{M}"),
        ("没有任何标记的文本，电话费用。", "没有任何标记的文本，电话费用。"),
        (f"{M}{M}", M),
    ],
)
def test_tidy_drops_the_labels_and_marks_that_say_nothing(redacted, tidied):
    assert tidy(redacted) == tidied


# Identifiers of every kind a detector reads, and text shaped like them, to stand right before
# a label or a deleted mark: whatever the detectors passed over there must stay passed over.
NEIGHBOURS = [
    "鄂A81820", "鄂A1234学", "13800138000", "138 0013 8000", "6222021234567894", "027-87654321",
    "420102199001011234", "1990年1月2日", "1990-01-02", "19900102", "幸福路12号", "幸福路", "12号",
    "3栋2单元501室", "2室", "501", "zhang@example.com", "wx_abc123", "QQ12345678", "一三八〇〇一三八〇〇〇",
    "張某", "王某某", "老人", "",
]  # fmt: skip
JUNCTIONS = ["{v}{label}{m}", "{v}{label}：{m}", "{v}（{label}{m}）", "{v}，{m}。", "{v}。{m}，", "{m}，{v}"]


@pytest.mark.parametrize("neighbour", NEIGHBOURS)
def test_tidying_never_completes_an_identifier_the_detectors_passed_over(neighbour):
    for label in (*LABELS, *readable.CLAUSE_LABELS):
        for junction in JUNCTIONS:
            for around in ("{}", "需要帮助，{}，谢谢。", "{}1", "{}A"):
                text = around.format(junction.format(v=neighbour, label=label, m=M))
                if detect(text) or detect(normalize_text(text)):
                    continue  # redaction would have removed it: no published text holds this
                tidied = tidy(text)
                assert detect(tidied) == [] and detect(normalize_text(tidied)) == [], (text, tidied)


@pytest.mark.parametrize(
    ("title", "mostly"),
    [
        ("", True),
        (M, True),
        (f"{M}家庭冬季生活物资求助帮扶", True),  # starts with a mark, however long the rest
        ("一二三四五" + M, True),  # the boundary: 5 characters of marks in 10
        ("一二三四五六" + M, False),  # 5 in 11
        (f"一二 三四五 {M}", True),  # spaces are not counted
        (f"困难家庭{M}{M}", True),
        ("困难家庭冬季生活物资", False),
    ],
)
def test_mostly_redacted_is_half_or_more_of_the_characters_or_a_leading_mark(title, mostly):
    assert mostly_redacted(title) is mostly


# --- hurried clerks' inputs: identity still gone, and the output readable -----------------------

_LABEL_BEFORE_MARK = re.compile(f"(?:{'|'.join(map(re.escape, LABELS))})[：:]?{re.escape(M)}")


def _readable(text: str) -> None:
    assert not _LABEL_BEFORE_MARK.search(text), text
    assert M + M not in text, text
    assert f"（{M}）" not in text, text
    assert text.strip() == text and text


@settings(max_examples=1_500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_identity_written_any_way_stays_out_of_the_tidied_text(case: tuple[Household, Others, str]) -> None:
    household, others, text = case
    identity = IdentityValues(
        names=[household.name],
        id_numbers=[household.id_number],
        phones=[household.phone],
        address=household.address,
    )
    redacted = redact(text, identity=identity).text
    tidied = tidy(redacted)

    assert detect(tidied) == []
    result = normalize_text(tidied)
    compact = _compact(result)
    for value in (household.name, household.surname + "某", *household.named_parts, household.address):
        assert value not in result
    assert household.id_number[:17] not in compact
    assert household.phone not in compact
    for value in (others.email, others.wechat, *others.birth_date_forms, *others.plate_forms):
        assert value not in result
    for value in (others.card, others.qq):
        assert value not in compact
    # Nothing but deletions: every character left was in the redacted text, in order.
    remaining = iter(redacted)
    assert all(char in remaining for char in tidied)
    _readable(tidied)


@settings(max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identifiers(), st.data())
def test_numbers_in_numerals_full_width_spaced_or_cut_stay_out_and_the_label_goes(
    identifier: tuple[str, str], data: st.DataObject
) -> None:
    kind, value = identifier
    own = kind.startswith("own_")
    written = _spell(data.draw, value, cut=own and data.draw(st.booleans()))
    before, after = data.draw(st.sampled_from(NUMBER_CONTEXT)), data.draw(st.sampled_from(NUMBER_CONTEXT))
    keyword = data.draw(st.sampled_from(NUMBER_KEYWORDS))
    text = f"{before}，{keyword}{written}，{after}。"
    identity = IdentityValues(
        phones=[value] if kind == "own_phone" else [], id_numbers=[value] if kind == "own_id_number" else []
    )
    tidied = tidy(redact(text, identity=identity if own else IdentityValues()).text)

    assert "".join(DIGIT_OF.get(char, "") for char in normalize_text(tidied) + tidied) == ""
    assert before in tidied and after in tidied
    _readable(tidied)
