"""Personal API tokens: made by command or on the profile page, shown once, stored hashed,
acting as their user, revocable."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from accounts.roles import Role
from accounts.tokens import api_token_create, api_token_revoke, api_token_user
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/account/me/"
TOKENS = "/account/tokens/"


def make_token_by_command(username: str, *args: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", username, *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def stored_values(token: ApiToken) -> str:
    token.refresh_from_db()
    return " ".join(str(getattr(token, field.attname)) for field in ApiToken._meta.concrete_fields)


def test_the_command_prints_the_token_last_and_only_its_hash_is_stored(client):
    user = UserFactory(caseworker=True)
    key = make_token_by_command(user.username, "--name", "CRM sync")

    token = ApiToken.objects.get(user=user)
    assert token.name == "CRM sync"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.key_prefix)
    assert key not in stored_values(token)

    response = client.get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200, response.content
    # The token acts as its user: same roles, same region scope.
    assert response.json() == {
        "username": user.username,
        "roles": [Role.CASEWORKER],
        "region": "420111",
        "department": "",
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_command_refuses_an_unknown_or_inactive_user():
    with pytest.raises(CommandError):
        make_token_by_command("nobody")
    inactive = UserFactory(is_active=False)
    with pytest.raises(CommandError):
        make_token_by_command(inactive.username)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", ["Token wrong.key", "Token ", "token a b"])
def test_a_wrong_token_is_a_401_asking_for_a_token(client, header):
    UserFactory()
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"


def test_no_credentials_is_a_401(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_or_an_inactive_user_is_a_401(client):
    user = UserFactory()
    token, key = api_token_create(user=user)
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    api_token_revoke(token=token, actor=user)
    assert api_token_user(key) is None
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401

    _other, live_key = api_token_create(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {live_key}").status_code == 401


def test_a_bad_token_is_a_401_on_endpoints_with_the_default_authenticators(client):
    """Session authentication comes first there; a bad token still answers 401, not 403."""
    response = client.get("/api/v1/regions/", HTTP_AUTHORIZATION="Token wrong.key")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    _token, key = api_token_create(user=UserFactory())
    assert client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_only_the_owner_or_an_administrator_may_revoke():
    from django.core.exceptions import PermissionDenied

    owner = UserFactory()
    token, _key = api_token_create(user=owner)
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=UserFactory())
    api_token_revoke(token=token, actor=UserFactory(administrator=True))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_last_used_is_written_at_most_once_a_minute(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    token, key = api_token_create(user=UserFactory())
    assert api_token_user(key) == token.user
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    time_machine.shift(timedelta(seconds=30))
    api_token_user(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    time_machine.shift(timedelta(seconds=31))
    api_token_user(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first + timedelta(seconds=61)


def test_the_schema_documents_the_token(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["ApiToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert {"ApiToken": []} in schema["paths"][ME]["get"]["security"]


# --- the profile page ---------------------------------------------------------------------------


def test_the_profile_needs_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_the_profile_shows_the_user_with_a_masked_email(client):
    user = UserFactory(caseworker=True, email="zhangsan@example.org")
    client.force_login(user)
    response = client.get("/account/")
    assert response.status_code == 200
    text = response.text
    assert user.username in text
    assert "zh***@example.org" in text
    assert "zhangsan@example.org" not in text
    assert "420111" in text
    assert response.context["roles"] == [str(Role.CASEWORKER.label)]


def test_a_token_made_on_the_profile_is_shown_once_and_works(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(TOKENS, {"name": "我们的管理系统"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["new_key"]
    assert key in response.text
    token = ApiToken.objects.get(user=user)
    assert token.name == "我们的管理系统"
    assert key not in stored_values(token)

    page = client.get(TOKENS)
    assert key not in page.text
    assert token.key_prefix in page.text

    client.logout()
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").json()["username"] == user.username


def test_a_too_long_name_is_refused(client):
    client.force_login(UserFactory())
    response = client.post(TOKENS, {"name": "x" * 101})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_revoking_on_the_profile_and_not_someone_elses(client):
    user = UserFactory()
    token, key = api_token_create(user=user, name="old")
    other_token, other_key = api_token_create(user=UserFactory())
    client.force_login(user)

    assert client.post(f"/account/tokens/{other_token.pk}/revoke/").status_code == 404
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == TOKENS

    token.refresh_from_db()
    other_token.refresh_from_db()
    assert token.revoked_at is not None
    assert other_token.revoked_at is None
    assert api_token_user(key) is None
    assert api_token_user(other_key) is not None
    page = client.get(TOKENS)
    assert len(list(page.context["messages"])) == 1  # "The token … was revoked."
    assert list(page.context["tokens"]) == []
