"""Age and household-size bands, and the masks of publicity lists."""

from __future__ import annotations

from datetime import date

import pytest

from privacy.generalize import (
    AGE_BANDS,
    HOUSEHOLD_SIZE_BANDS,
    age_band,
    age_on,
    household_size_band,
    mask_id_number,
    mask_name,
    mask_phone,
)

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("birth_date", "band"),
    [
        (date(2025, 6, 1), "未成年"),
        (date(2012, 1, 1), "未成年"),  # 13
        (date(2011, 6, 1), "未成年"),  # 14 today
        (date(2007, 6, 2), "未成年"),  # 17, turns 18 tomorrow
        (date(2007, 6, 1), "18-29岁"),  # 18 today
        (date(1995, 6, 2), "18-29岁"),  # 29
        (date(1995, 6, 1), "30-39岁"),
        (date(1985, 6, 1), "40-49岁"),
        (date(1975, 6, 1), "50-59岁"),
        (date(1965, 6, 1), "60-69岁"),
        (date(1955, 6, 1), "70-79岁"),
        (date(1945, 6, 2), "70-79岁"),
        (date(1945, 6, 1), "80岁以上"),
        (date(1920, 1, 1), "80岁以上"),
    ],
)
def test_age_band(birth_date: date, band: str) -> None:
    assert age_band(birth_date, today=TODAY) == band
    assert band in AGE_BANDS


def test_age_counts_leap_day_birthdays() -> None:
    assert age_on(date(2008, 2, 29), today=date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), today=date(2026, 3, 1)) == 18


def test_age_band_refuses_future_birth() -> None:
    with pytest.raises(ValueError, match="after today"):
        age_band(date(2025, 6, 2), today=TODAY)


@pytest.mark.parametrize(
    ("size", "band"),
    [(1, "1人"), (2, "2人"), (3, "3-4人"), (4, "3-4人"), (5, "5人及以上"), (12, "5人及以上")],
)
def test_household_size_band(size: int, band: str) -> None:
    assert household_size_band(size) == band
    assert band in HOUSEHOLD_SIZE_BANDS


@pytest.mark.parametrize("size", [0, -1])
def test_household_size_band_refuses_empty_households(size: int) -> None:
    with pytest.raises(ValueError, match="at least one"):
        household_size_band(size)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张建国", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳", "欧*"),
        ("诸葛亮", "诸葛*"),
        (" 李 娜 ", "李*"),
        ("买买提·艾力", "买**·**"),
        # issue 9: a minority name keeps only its first character and its dots, never its first part.
        ("阿依古丽·买买提", "阿***·***"),
        ("王", "*"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+86 138-0013-8000", "138****8000"),
        ("００８６１３８００１３８０００", "138****8000"),
        ("027-87654321", "027******21"),
        ("(0716)8123456", "0716*****56"),
        ("87654321", "******21"),
        ("8765432", "*****32"),  # seven digits, the shortest phone number (a local number)
        ("010-12345678", "010******78"),  # Beijing and 02x cities: a three-digit area code
        ("0716-8123456", "0716*****56"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["", "12345", "876543", "138-abc-8000", "١٣٨٠٠١٣٨٠٠٠"])
def test_mask_phone_refuses_non_numbers(phone: str) -> None:
    with pytest.raises(ValueError) as error:
        mask_phone(phone)
    assert str(error.value) == "not a phone number"


def test_mask_id_number() -> None:
    assert mask_id_number("42011119900102025x") == "42" + "*" * 14 + "5X"
    assert mask_id_number("420111 900102 025") == "42" + "*" * 11 + "25"
    with pytest.raises(ValueError, match="15 or 18"):
        mask_id_number("4201")


def test_the_refusals_read_exactly() -> None:
    with pytest.raises(ValueError) as error:
        age_on(date(2025, 6, 2), today=TODAY)
    assert str(error.value) == "birth_date is after today"
    with pytest.raises(ValueError) as error:
        household_size_band(0)
    assert str(error.value) == "a household has at least one member"
    with pytest.raises(ValueError) as error:
        mask_id_number("42011119900102025")
    assert str(error.value) == "an ID number has 15 or 18 characters"


def test_born_today_is_zero_years_old() -> None:
    assert age_on(TODAY, today=TODAY) == 0
    assert age_on(date(2024, 6, 2), today=TODAY) == 0
    assert age_on(date(2024, 6, 1), today=TODAY) == 1
