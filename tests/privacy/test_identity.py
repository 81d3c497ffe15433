"""Resident ID numbers: normalization, validation and synthetic numbers."""

from __future__ import annotations

from datetime import date

import pytest

from privacy.identity import (
    IdNumber,
    InvalidIdNumber,
    check_character,
    make_id_number,
    normalize_id_number,
    validate_id_number,
)

TODAY = date(2025, 6, 1)

# Published example numbers whose check characters are known.
KNOWN_VALID = ["11010519491231002X", "440524188001010014"]


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),
        ("110105 19491231 002X", "11010519491231002X"),
        ("110105-19491231-002x", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("\u3000110105 1949 1231 002X ", "11010519491231002X"),
    ],
)
def test_normalize_id_number(raw: str, expected: str) -> None:
    assert normalize_id_number(raw) == expected


def test_known_numbers_validate() -> None:
    assert validate_id_number(KNOWN_VALID[0], today=TODAY) == IdNumber(
        birth_date=date(1949, 12, 31), sex="female", region_code="110105"
    )


def test_well_formed_number_born_before_1900_is_refused() -> None:
    with pytest.raises(InvalidIdNumber) as error:
        validate_id_number(KNOWN_VALID[1], today=TODAY)
    assert error.value.code == "early_birth_date"


def test_full_width_and_lowercase_x_validate() -> None:
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY).birth_date == date(
        1949, 12, 31
    )


@pytest.mark.parametrize("female", [True, False])
def test_made_numbers_validate_with_the_right_sex(female: bool) -> None:
    number = make_id_number(region_code="420111", birth_date=date(1990, 1, 2), sequence=7, female=female)
    parsed = validate_id_number(number, today=TODAY)
    assert parsed == IdNumber(
        birth_date=date(1990, 1, 2), sex="female" if female else "male", region_code="420111"
    )


def test_sequences_give_distinct_numbers() -> None:
    numbers = {
        make_id_number(region_code="420111", birth_date=date(2000, 2, 29), sequence=s, female=f)
        for s in range(500)
        for f in (True, False)
    }
    assert len(numbers) == 1000
    assert all(validate_id_number(n, today=TODAY).birth_date == date(2000, 2, 29) for n in numbers)


def test_abolished_county_code_is_accepted() -> None:
    # 监利县 (421023) became 监利市 in 2020; numbers issued before keep the old code.
    number = make_id_number(region_code="421023", birth_date=date(1975, 8, 9), sequence=3, female=True)
    assert validate_id_number(number, today=TODAY).region_code == "421023"


def test_any_county_digits_under_a_real_province_are_accepted() -> None:
    number = _with_check("429999" + "19800101" + "123")
    assert validate_id_number(number, today=TODAY).region_code == "429999"


@pytest.mark.parametrize("province", ["11", "23", "37", "42", "46", "54", "65", "71", "81", "82"])
def test_every_province_range_is_accepted(province: str) -> None:
    assert validate_id_number(_with_check(province + "0101" + "19800101" + "123"), today=TODAY)


@pytest.mark.parametrize(
    "province", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "66", "72", "83", "99"]
)
def test_unknown_province_is_refused(province: str) -> None:
    with pytest.raises(InvalidIdNumber) as error:
        validate_id_number(_with_check(province + "0101" + "19800101" + "123"), today=TODAY)
    assert error.value.code == "province"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "length"),
        ("4201111990010202", "length"),
        ("4201111990010202511", "length"),
        ("42011119900102025A", "format"),
        ("X20111199001020251", "format"),
        ("4201111990O102025X", "format"),
        (_with_check("420111" + "19000229" + "123"), "birth_date"),  # 1900 was not a leap year
        (_with_check("420111" + "19901301" + "123"), "birth_date"),
        (_with_check("420111" + "19900431" + "123"), "birth_date"),
        (_with_check("420111" + "18991231" + "123"), "early_birth_date"),
        (_with_check("420111" + "20250602" + "123"), "future_birth_date"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(value: str, code: str) -> None:
    with pytest.raises(InvalidIdNumber) as error:
        validate_id_number(value, today=TODAY)
    assert error.value.code == code
    assert isinstance(error.value, ValueError)


def test_birth_today_is_accepted() -> None:
    number = _with_check("420111" + "20250601" + "123")
    assert validate_id_number(number, today=TODAY).birth_date == TODAY


def test_leap_day_2000_is_a_real_date() -> None:
    assert validate_id_number(_with_check("420111" + "20000229" + "124"), today=TODAY)


def test_wrong_check_character_is_refused() -> None:
    good = make_id_number(region_code="420111", birth_date=date(1990, 1, 2), sequence=12, female=False)
    for wrong in "0123456789X":
        if wrong == good[-1]:
            continue
        with pytest.raises(InvalidIdNumber) as error:
            validate_id_number(good[:-1] + wrong, today=TODAY)
        assert error.value.code == "checksum"


def test_error_never_shows_the_number() -> None:
    number = make_id_number(region_code="420111", birth_date=date(1990, 1, 2), sequence=12, female=False)
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(InvalidIdNumber) as error:
        validate_id_number(bad, today=TODAY)
    shown = str(error.value) + repr(error.value) + str(error.value.args) + str(error.value.message)
    assert bad not in shown
    assert bad[:14] not in shown
    assert "420111" not in repr(validate_id_number(number, today=TODAY)).replace("region_code='420111'", "")


def test_message_is_a_readable_english_msgid() -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(InvalidIdNumber) as error:
        validate_id_number("123", today=TODAY)
    with translation.override("en"):
        assert str(error.value) == "The ID number must have 18 characters."


@pytest.mark.parametrize(
    "kwargs",
    [
        {"region_code": "42011", "birth_date": date(1990, 1, 1), "sequence": 1, "female": True},
        {"region_code": "990111", "birth_date": date(1990, 1, 1), "sequence": 1, "female": True},
        {"region_code": "420111", "birth_date": date(1899, 12, 31), "sequence": 1, "female": True},
        {"region_code": "420111", "birth_date": date(1990, 1, 1), "sequence": 500, "female": True},
        {"region_code": "420111", "birth_date": date(1990, 1, 1), "sequence": -1, "female": True},
    ],
)
def test_make_id_number_refuses_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=r"region_code|birth_date|sequence"):
        make_id_number(**kwargs)


def test_check_character_needs_17_digits() -> None:
    with pytest.raises(ValueError, match="17"):
        check_character("1234")


# Each refusal says exactly why, in words a caseworker can act on (English msgids, translated).
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4201111990010202", "The ID number must have 18 characters."),
        ("42011119900102025A", "The ID number must be 17 digits followed by a digit or the letter X."),
        (
            _with_check("990111" + "19800101" + "123"),
            "The ID number does not start with a valid province code.",
        ),
        (_with_check("420111" + "19901301" + "123"), "The ID number's birth date is not a real date."),
        (_with_check("420111" + "18991231" + "123"), "The ID number's birth date is before 1900."),
        (_with_check("420111" + "20250602" + "123"), "The ID number's birth date is in the future."),
        (
            _with_check("420111" + "19900102" + "123")[:-1] + "Y",
            "The ID number must be 17 digits followed by a digit or the letter X.",
        ),
    ],
)
def test_each_refusal_reads_exactly(value: str, message: str) -> None:
    from django.utils import translation

    with translation.override("en"), pytest.raises(InvalidIdNumber) as error:
        validate_id_number(value, today=TODAY)
    with translation.override("en"):
        assert str(error.value) == message
        assert str(error.value.message) == message  # what intake's field error shows
    with translation.override("zh-hans"):
        assert str(error.value) != message, "every refusal has its Chinese translation"


def test_a_wrong_check_character_reads_exactly() -> None:
    from django.utils import translation

    good = make_id_number(region_code="420111", birth_date=date(1990, 1, 2), sequence=12, female=False)
    with translation.override("en"), pytest.raises(InvalidIdNumber) as error:
        validate_id_number(good[:-1] + ("0" if good[-1] != "0" else "1"), today=TODAY)
    with translation.override("en"):
        assert str(error.value) == "The ID number's check character is wrong."


def test_the_first_day_of_1900_is_the_earliest_birth_date() -> None:
    number = make_id_number(region_code="420111", birth_date=date(1900, 1, 1), sequence=1, female=True)
    assert validate_id_number(number, today=TODAY).birth_date == date(1900, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"region_code": "990111"}, "region_code must be 6 digits starting with a province code"),
        ({"birth_date": date(1899, 12, 31)}, "birth_date must not be before 1900"),
        ({"sequence": 500}, "sequence must be between 0 and 499"),
    ],
)
def test_make_id_number_says_which_argument_is_wrong(kwargs: dict, message: str) -> None:
    arguments = {"region_code": "420111", "birth_date": date(1990, 1, 1), "sequence": 1, "female": True}
    with pytest.raises(ValueError) as error:
        make_id_number(**(arguments | kwargs))
    assert str(error.value) == message


@pytest.mark.parametrize("first17", ["1234", "1" * 18, "１" * 17, "4201111990010202X"])
def test_check_character_needs_17_ascii_digits(first17: str) -> None:
    with pytest.raises(ValueError) as error:
        check_character(first17)
    assert str(error.value) == "check_character needs exactly 17 ASCII digits"
