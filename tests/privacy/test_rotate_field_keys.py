"""``manage.py rotate_field_keys``: after a new key goes in front, every encrypted value is
re-encrypted with it, so the old key can be dropped without losing a value."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from marketplace.organizations.models import Volunteer
from tests.factories.organizations import VolunteerFactory


def stored_tokens() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT real_name, id_number FROM {Volunteer._meta.db_table} ORDER BY id")  # noqa: S608 - a model's table name
        return cursor.fetchall()


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_new_key_and_the_old_key_can_go(settings):
    old = settings.FIELD_ENCRYPTION_KEYS
    volunteers = VolunteerFactory.create_batch(3)
    names = [volunteer.real_name for volunteer in volunteers]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = f"{new},{old}"

    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "organizations.Volunteer: 3 rows re-encrypted" in out.getvalue()
    for real_name, id_number in stored_tokens():
        Fernet(new.encode()).decrypt(real_name.encode())  # raises unless the new key made it
        Fernet(new.encode()).decrypt(id_number.encode())

    settings.FIELD_ENCRYPTION_KEYS = new  # the old key dropped
    assert [v.real_name for v in Volunteer.objects.order_by("id")] == names

    again = StringIO()
    call_command("rotate_field_keys", stdout=again)  # nothing left to do
    assert "0 rows re-encrypted with the newest key" in again.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = old
