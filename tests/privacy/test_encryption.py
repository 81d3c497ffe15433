"""Field encryption at rest (Fernet with rotating keys): pure functions, no database."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from privacy.encryption import decrypt, encrypt, parse_fernet_keys

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def test_a_value_comes_back_and_is_not_stored_in_clear() -> None:
    cipher = parse_fernet_keys(NEW)
    token = encrypt("王芳 420111199001020258", cipher=cipher)
    assert "王芳" not in token and "420111199001020258" not in token
    assert token != encrypt("王芳 420111199001020258", cipher=cipher)  # a fresh IV each time
    assert decrypt(token, cipher=cipher) == "王芳 420111199001020258"


def test_rotation_new_values_use_the_first_key_and_old_ones_still_open() -> None:
    before = parse_fernet_keys(OLD)
    stored = encrypt("李娜", cipher=before)
    after = parse_fernet_keys(f" {NEW} , ,{OLD} ")  # whitespace and empty entries ignored
    assert decrypt(stored, cipher=after) == "李娜"
    fresh = encrypt("李娜", cipher=after)
    assert decrypt(fresh, cipher=parse_fernet_keys(NEW)) == "李娜"  # made with the first key
    with pytest.raises(ValueError) as error:
        decrypt(fresh, cipher=before)
    assert str(error.value) == "cannot decrypt: no configured key opens this value"


@pytest.mark.parametrize("spec", ["", " , "])
def test_no_key_is_an_error(spec: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_fernet_keys(spec)
    assert (
        str(error.value) == "no field encryption key: expected url-safe base64 Fernet keys, comma-separated"
    )


@pytest.mark.parametrize("bad", ["not-a-key", "é" * 44, OLD[:-4]])
def test_a_bad_key_is_named_by_its_position_never_shown(bad: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_fernet_keys(f"{NEW},{bad}")
    assert str(error.value) == "field encryption key 2 is not a Fernet key (32 url-safe base64 bytes)"
    assert bad not in str(error.value)


def test_a_tampered_value_does_not_open() -> None:
    cipher = parse_fernet_keys(NEW)
    token = encrypt("张三", cipher=cipher)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(ValueError, match="cannot decrypt"):
        decrypt(tampered, cipher=cipher)
