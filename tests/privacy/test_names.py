"""Chinese full names and how they split (used by masking and redaction)."""

from __future__ import annotations

import pytest

from privacy.names import COMMON_SURNAMES, COMPOUND_SURNAMES, split_name


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("张三", ("张", "三")),
        ("张建国", ("张", "建国")),
        ("欧阳娜娜", ("欧阳", "娜娜")),
        ("诸葛亮", ("诸葛", "亮")),
        ("欧阳", ("欧", "阳")),  # no longer than the compound surname: a single surname
        (" 李 娜 ", ("李", "娜")),
        ("王", ("王", "")),
        ("", ("", "")),
        ("  ", ("", "")),
        # Transliterated names: the part before the first dot, then the rest with its dots.
        ("阿依古丽·买买提", ("阿依古丽", "买买提")),
        ("买买提·艾力·库尔班", ("买买提", "艾力·库尔班")),
        ("玛丽•居里", ("玛丽", "居里")),
        ("约翰・史密斯", ("约翰", "史密斯")),
    ],
)
def test_split_name(name: str, parts: tuple[str, str]) -> None:
    assert split_name(name) == parts


def test_the_surname_lists() -> None:
    assert len(COMMON_SURNAMES) == len(set(COMMON_SURNAMES)) >= 100
    assert all(len(surname) == 1 for surname in COMMON_SURNAMES)
    assert all(len(surname) == 2 for surname in COMPOUND_SURNAMES)
    assert {"王", "李", "张", "刘", "陈"} <= set(COMMON_SURNAMES)
