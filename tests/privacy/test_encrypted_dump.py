"""Encrypted personal data stays encrypted in dumps and fixtures (``dumpdata``/``loaddata``).

A backup made with ``manage.py dumpdata`` must not undo encryption at rest: volunteers' real
names and ID numbers are written as the stored ciphertext, and loading the dump restores
exactly the rows that were dumped.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from django.db import connection

from marketplace.organizations.models import Volunteer
from marketplace.organizations.services.volunteers import volunteer_register
from privacy.encryption import decrypt, parse_fernet_keys
from privacy.fields import EncryptedTextField
from privacy.identity import make_id_number
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

REAL_NAME = "欧阳明远"
ID_NUMBER = make_id_number(region_code="420111", birth_date=date(1990, 5, 17), sequence=123, female=False)
OTHER_KEY = Fernet.generate_key().decode()


@pytest.fixture
def volunteer() -> Volunteer:
    return volunteer_register(
        user=UserFactory(), real_name=REAL_NAME, id_number=ID_NUMBER, need_types=["care_service"]
    )


def stored_columns(pk: int) -> tuple[str, str]:
    """The real name and ID number exactly as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT real_name, id_number FROM {Volunteer._meta.db_table} WHERE id = %s",  # noqa: S608 - fixed table
            [pk],
        )
        return cursor.fetchone()


def dump(fmt: str = "json") -> str:
    out = io.StringIO()
    call_command("dumpdata", "organizations.volunteer", format=fmt, stdout=out)
    return out.getvalue()


def load(tmp_path, text: str, fmt: str = "json") -> None:
    fixture = tmp_path / f"volunteers.{fmt}"
    fixture.write_text(text, encoding="utf-8")
    call_command("loaddata", str(fixture), verbosity=0)


def assert_no_clear_text(text: str) -> None:
    assert REAL_NAME not in text and "明远" not in text
    assert ID_NUMBER not in text and ID_NUMBER[6:14] not in text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_dumpdata_writes_the_ciphertext_never_the_name_or_id_number(volunteer, fmt):
    text = dump(fmt)

    assert_no_clear_text(text)
    stored_name, stored_number = stored_columns(volunteer.pk)
    assert stored_name in text and stored_number in text
    # The masked forms are public anyway and still come out as they are.
    assert volunteer.masked_name in text


def test_loaddata_restores_the_volunteer_exactly(volunteer, tmp_path):
    stored_before = stored_columns(volunteer.pk)
    text = dump()
    Volunteer.objects.all().delete()

    load(tmp_path, text)

    restored = Volunteer.objects.get()
    assert restored.pk == volunteer.pk
    assert restored.real_name == REAL_NAME
    assert restored.id_number == ID_NUMBER
    assert restored.masked_name == volunteer.masked_name and restored.id_token == volunteer.id_token
    # The very tokens that were dumped, not a token of the token: dumping again gives the same file.
    assert stored_columns(restored.pk) == stored_before
    assert dump() == text


def test_loading_over_an_existing_row_neither_double_encrypts_nor_changes_it(volunteer, tmp_path):
    text = dump()
    load(tmp_path, text)
    load(tmp_path, text)

    restored = Volunteer.objects.get()
    assert (restored.real_name, restored.id_number) == (REAL_NAME, ID_NUMBER)
    assert dump() == text


def test_a_fixture_written_in_clear_text_is_stored_encrypted(volunteer, tmp_path):
    [record] = json.loads(dump())
    record["fields"]["real_name"] = "林晓雯"
    record["fields"]["id_number"] = "420106199203140572"
    Volunteer.objects.all().delete()

    load(tmp_path, json.dumps([record], ensure_ascii=False))

    restored = Volunteer.objects.get()
    assert (restored.real_name, restored.id_number) == ("林晓雯", "420106199203140572")
    raw = " ".join(stored_columns(restored.pk))
    assert "林晓雯" not in raw and "420106199203140572" not in raw
    assert "林晓雯" not in dump()


def test_a_token_no_configured_key_opens_is_refused_not_stored_as_text(volunteer, tmp_path):
    [record] = json.loads(dump())
    record["fields"]["real_name"] = Fernet(OTHER_KEY.encode()).encrypt(REAL_NAME.encode()).decode()
    Volunteer.objects.all().delete()

    with pytest.raises((CommandError, DeserializationError)):
        load(tmp_path, json.dumps([record], ensure_ascii=False))
    assert not Volunteer.objects.exists()


def test_a_dump_made_before_a_key_rotation_loads_and_is_re_encrypted_with_the_new_key(
    volunteer, tmp_path, settings
):
    old_key = settings.FIELD_ENCRYPTION_KEYS
    text = dump()
    Volunteer.objects.all().delete()
    settings.FIELD_ENCRYPTION_KEYS = f"{OTHER_KEY},{old_key}"

    load(tmp_path, text)

    restored = Volunteer.objects.get()
    assert (restored.real_name, restored.id_number) == (REAL_NAME, ID_NUMBER)
    # Written with the newest key, so the old one can be dropped once every row is re-saved.
    stored_name, stored_number = stored_columns(restored.pk)
    assert decrypt(stored_name, cipher=parse_fernet_keys(OTHER_KEY)) == REAL_NAME
    assert decrypt(stored_number, cipher=parse_fernet_keys(OTHER_KEY)) == ID_NUMBER


def test_re_saving_a_row_rotates_it_to_the_newest_key(volunteer, settings):
    settings.FIELD_ENCRYPTION_KEYS = f"{OTHER_KEY},{settings.FIELD_ENCRYPTION_KEYS}"

    Volunteer.objects.get().save()

    stored_name, _ = stored_columns(volunteer.pk)
    assert decrypt(stored_name, cipher=parse_fernet_keys(OTHER_KEY)) == REAL_NAME


def test_every_encrypted_field_of_every_model_serializes_as_its_ciphertext():
    """Whatever model uses ``EncryptedTextField`` (today the volunteer), serializers get a
    token that opens to the value, never the value."""
    fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
    assert {(model.__name__, field.name) for model, field in fields} >= {
        ("Volunteer", "real_name"),
        ("Volunteer", "id_number"),
    }
    for model, field in fields:
        instance = model(**{field.attname: "测试值 420106199203140572"})
        written = field.value_to_string(instance)
        assert "测试值" not in written and "420106199203140572" not in written
        assert field.to_python(written) == "测试值 420106199203140572"
