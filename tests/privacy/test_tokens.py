"""Pseudonymous household tokens and their keys."""

from __future__ import annotations

import base64
import re
from datetime import date

import pytest

from privacy.identity import make_id_number
from privacy.tokens import household_token, parse_keys, token_candidates

K1 = b"k1-secret-0123456789abcdef-32byt"
K2 = b"k2-secret-0123456789abcdef-32byt"
NUMBER = make_id_number(region_code="420111", birth_date=date(1990, 1, 2), sequence=12, female=True)
OTHER = make_id_number(region_code="420111", birth_date=date(1990, 1, 2), sequence=13, female=True)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_token_shape_and_stability() -> None:
    token = household_token(NUMBER, keys={"k1": K1}, current_key_id="k1")
    assert re.fullmatch(r"k1:[0-9a-f]{32}", token)
    assert household_token(NUMBER, keys={"k1": K1}, current_key_id="k1") == token


def test_token_does_not_contain_the_number() -> None:
    token = household_token(NUMBER, keys={"k1": K1}, current_key_id="k1")
    assert NUMBER[:6] not in token
    assert NUMBER[6:14] not in token


def test_spelling_variants_give_the_same_token() -> None:
    keys = {"k1": K1}
    spaced = f"{NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]}".lower()
    full_width = NUMBER.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    tokens = {household_token(v, keys=keys, current_key_id="k1") for v in (NUMBER, spaced, full_width)}
    assert len(tokens) == 1


def test_different_households_and_keys_give_different_tokens() -> None:
    keys = {"k1": K1, "k2": K2}
    assert household_token(NUMBER, keys=keys, current_key_id="k1") != household_token(
        OTHER, keys=keys, current_key_id="k1"
    )
    under_k1 = household_token(NUMBER, keys=keys, current_key_id="k1")
    under_k2 = household_token(NUMBER, keys=keys, current_key_id="k2")
    assert under_k1.split(":")[1] != under_k2.split(":")[1]


def test_same_secret_under_another_id_still_says_which_key() -> None:
    assert household_token(NUMBER, keys={"a": K1, "b": K1}, current_key_id="a").startswith("a:")
    assert household_token(NUMBER, keys={"a": K1, "b": K1}, current_key_id="b").startswith("b:")


def test_rotation_finds_the_old_token_among_the_candidates() -> None:
    before = parse_keys(f"k1:{_b64(K1)}")
    stored = household_token(NUMBER, keys=before, current_key_id=next(iter(before)))

    after = parse_keys(f"k2:{_b64(K2)},k1:{_b64(K1)}")
    current = next(iter(after))
    assert current == "k2"
    candidates = token_candidates(NUMBER, keys=after)
    assert candidates == [
        household_token(NUMBER, keys=after, current_key_id="k2"),
        household_token(NUMBER, keys=after, current_key_id="k1"),
    ]
    assert stored in candidates
    assert household_token(NUMBER, keys=after, current_key_id=current) != stored
    assert stored not in token_candidates(OTHER, keys=after)


def test_unknown_current_key_is_an_error() -> None:
    with pytest.raises(ValueError, match="'k9' is not among"):
        household_token(NUMBER, keys={"k1": K1}, current_key_id="k9")


def test_empty_number_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        household_token(" - ", keys={"k1": K1}, current_key_id="k1")
    with pytest.raises(ValueError, match="empty"):
        token_candidates("", keys={"k1": K1})


def test_parse_keys_keeps_order_and_decodes() -> None:
    keys = parse_keys(f" k2:{_b64(K2)} , k1:{_b64(K1)} ")
    assert list(keys) == ["k2", "k1"]
    assert keys == {"k2": K2, "k1": K1}


def test_parse_keys_accepts_url_safe_and_unpadded_base64() -> None:
    raw = bytes(range(250, 256)) + bytes(range(26))  # encodes with + and / in standard base64
    url_safe = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert parse_keys(f"k1:{url_safe}") == {"k1": raw}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no household token keys"),
        ("  ,  ", "no household token keys"),
        (f"k1:{_b64(K1)},", "entry 2 is empty"),
        (_b64(K1), "entry 1 has no ':'"),
        (f"k 1:{_b64(K1)}", "entry 1: the key id must be"),
        (f":{_b64(K1)}", "entry 1: the key id must be"),
        (f"k1:{_b64(K1)},k1:{_b64(K2)}", "'k1' appears more than once"),
        ("k1:not base64!!", "'k1': the secret is not valid base64"),
        (f"k1:{_b64(b'short')}", "'k1': the secret decodes to 5 bytes, at least 16"),
    ],
)
def test_parse_keys_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_keys(spec)


def test_parse_keys_errors_never_show_the_secret() -> None:
    secret = _b64(b"short-but-secret")[:-2] + "!!"
    with pytest.raises(ValueError) as error:
        parse_keys(f"k1:{secret}")
    assert secret not in str(error.value)


# --- keys as the docstring promises (issue 9, item 17) ---------------------------------------


@pytest.mark.parametrize("stray", ["!", "$", " ", "é", "\n", "."])
def test_a_key_with_a_stray_non_base64_character_is_refused(stray: str) -> None:
    good = _b64(K1)
    with pytest.raises(ValueError) as error:
        parse_keys(f"k1:{good[:10]}{stray}{good[10:]}")
    assert str(error.value) == "household token key 'k1': the secret is not valid base64"


def test_a_secret_holding_a_colon_is_refused_as_a_secret_not_as_a_key_id() -> None:
    with pytest.raises(ValueError) as error:
        parse_keys(f"k1:{_b64(K1)}:{_b64(K2)}")
    assert str(error.value) == "household token key 'k1': the secret is not valid base64"


def test_a_16_byte_key_parses_and_15_bytes_do_not() -> None:
    sixteen = bytes(range(16))
    assert parse_keys(f"k1:{_b64(sixteen)}") == {"k1": sixteen}
    with pytest.raises(ValueError) as error:
        parse_keys(f"k1:{_b64(sixteen[:15])}")
    assert (
        str(error.value)
        == "household token key 'k1': the secret decodes to 15 bytes, at least 16 are required"
    )


def test_the_errors_read_exactly() -> None:
    with pytest.raises(ValueError) as error:
        parse_keys(" ")
    assert str(error.value) == (
        "no household token keys: expected 'key_id:base64secret' entries separated by commas, newest first"
    )
    with pytest.raises(ValueError) as error:
        household_token(" ", keys={"k1": K1}, current_key_id="k1")
    assert str(error.value) == "cannot make a household token from an empty ID number"
