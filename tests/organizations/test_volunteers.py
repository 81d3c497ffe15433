"""Volunteers: real-name registration stored encrypted, shown masked, one per person."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from marketplace.needs.keys import token_for
from marketplace.organizations.models import Membership, MembershipStatus, Volunteer
from marketplace.organizations.selectors import volunteer_for
from marketplace.organizations.services.membership import membership_decide
from marketplace.organizations.services.volunteers import volunteer_register
from privacy.identity import make_id_number
from tests.factories.accounts import UserFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = pytest.mark.django_db

REAL_NAME = "欧阳明远"
ID_NUMBER = make_id_number(region_code="420111", birth_date=date(1990, 5, 17), sequence=123, female=False)
OTHER_ID = make_id_number(region_code="420106", birth_date=date(1985, 1, 2), sequence=8, female=True)


def form_data(**overrides) -> dict:
    data = {
        "real_name": REAL_NAME,
        "id_number": ID_NUMBER,
        "need_types": ["care_service"],
        "team": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def person():
    return UserFactory()


def raw_volunteer_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Volunteer._meta.db_table}")  # noqa: S608 - a fixed table name
        return cursor.fetchall()


def test_registration_needs_a_login(client):
    response = client.get("/volunteers/register/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_volunteer_is_stored_encrypted_and_shown_masked(client, person):
    client.force_login(person)
    assert client.get("/volunteers/register/").status_code == 200
    response = client.post("/volunteers/register/", form_data(), follow=True)
    assert response.redirect_chain[-1][0] == "/volunteers/me/"

    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.real_name == REAL_NAME  # decrypted on read
    assert volunteer.id_number == ID_NUMBER
    assert volunteer.masked_name == "欧阳**"
    assert volunteer.masked_id_number == "42**************" + ID_NUMBER[-2:]
    assert volunteer.id_token == token_for(ID_NUMBER)
    assert volunteer.need_types == ["care_service"]

    # The raw database row holds neither the name nor the number, nor a piece of either.
    [row] = raw_volunteer_rows()
    raw = " ".join(str(value) for value in row)
    assert REAL_NAME not in raw and "明远" not in raw
    assert ID_NUMBER not in raw and ID_NUMBER[6:14] not in raw

    # The volunteer's own page shows them masked only.
    page = response.content.decode()
    assert "欧阳**" in page and volunteer.masked_id_number in page
    assert REAL_NAME not in page and ID_NUMBER not in page and ID_NUMBER[6:14] not in page

    person = User.objects.get(pk=person.pk)
    assert person.has_role(Role.VOLUNTEER)
    assert volunteer_for(user=person) == volunteer


def test_no_query_sends_the_clear_id_number(person):
    with CaptureQueriesContext(connection) as queries:
        volunteer_register(user=person, real_name=REAL_NAME, id_number=ID_NUMBER, need_types=["counselling"])
    sql = " ".join(str(query["sql"]) for query in queries.captured_queries)
    assert ID_NUMBER not in sql and REAL_NAME not in sql


def test_the_same_person_cannot_register_twice(client, person):
    volunteer_register(user=person, real_name=REAL_NAME, id_number=ID_NUMBER, need_types=["care_service"])
    other = UserFactory()
    client.force_login(other)
    # Typed differently: lower-case, spaced; still the same number.
    spaced = f"{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:].lower()}"
    response = client.post("/volunteers/register/", form_data(real_name="张三", id_number=spaced))
    assert response.status_code == 200
    assert response.context["form"].has_error("id_number", "duplicate_person")
    assert ID_NUMBER not in response.content.decode()  # never echoed back
    assert ID_NUMBER[6:14] not in response.content.decode()
    assert Volunteer.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        volunteer_register(user=other, real_name="张三", id_number=ID_NUMBER, need_types=["care_service"])
    assert refused.value.error_dict["id_number"][0].code == "duplicate_person"


def test_a_user_registers_only_once(client, person):
    volunteer_register(user=person, real_name=REAL_NAME, id_number=ID_NUMBER, need_types=["care_service"])
    with pytest.raises(ValidationError) as refused:
        volunteer_register(user=person, real_name=REAL_NAME, id_number=OTHER_ID, need_types=["care_service"])
    assert refused.value.code == "already_registered"
    client.force_login(person)
    response = client.get("/volunteers/register/")
    assert response.status_code == 302
    assert response["Location"] == "/volunteers/me/"


@pytest.mark.parametrize(
    ("id_number", "code"),
    [
        (ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"), "checksum"),
        ("4201111990051712", "length"),
        ("420111" + "20991231" + "1230", "future_birth_date"),
    ],
)
def test_an_invalid_id_number_is_a_field_error_that_does_not_echo_it(client, person, id_number, code):
    client.force_login(person)
    response = client.post("/volunteers/register/", form_data(id_number=id_number))
    assert response.status_code == 200
    assert response.context["form"].has_error("id_number", code)
    assert id_number not in response.content.decode()
    assert not Volunteer.objects.exists()


def test_names_must_look_like_names_and_services_be_service_needs(person):
    with pytest.raises(ValidationError) as refused:
        volunteer_register(user=person, real_name="x1", id_number=ID_NUMBER, need_types=["medical"])
    assert set(refused.value.message_dict) == {"real_name", "need_types"}


def test_consent_is_required(client, person):
    client.force_login(person)
    data = form_data()
    del data["consent"]
    response = client.post("/volunteers/register/", data)
    assert response.context["form"].has_error("consent")
    assert not Volunteer.objects.exists()


def test_anonymous_users_cannot_register(person):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        volunteer_register(
            user=AnonymousUser(), real_name=REAL_NAME, id_number=ID_NUMBER, need_types=["care_service"]
        )
    assert volunteer_for(user=AnonymousUser()) is None


def test_choosing_a_team_asks_to_join_it(client, person):
    team_admin = UserFactory()
    team = OrganizationFactory(verified=True, team=True, admin=team_admin)
    client.force_login(person)
    client.post("/volunteers/register/", form_data(team=str(team.pk)))
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.team is None  # until the team accepts
    membership = Membership.objects.get(organization=team, user=person)
    assert membership.status == MembershipStatus.REQUESTED
    assert team.name in client.get("/volunteers/me/").content.decode()

    membership_decide(membership=membership, actor=team_admin, approve=True)
    volunteer.refresh_from_db()
    assert volunteer.team == team


def test_only_verified_volunteer_teams_can_be_chosen(person):
    charity = OrganizationFactory(verified=True)
    pending_team = OrganizationFactory(team=True)
    for organization in (charity, pending_team):
        with pytest.raises(ValidationError) as refused:
            volunteer_register(
                user=person,
                real_name=REAL_NAME,
                id_number=ID_NUMBER,
                need_types=["care_service"],
                team=organization,
            )
        assert "team" in refused.value.message_dict


def test_a_volunteer_changes_services_and_asks_to_join_a_team(client, person):
    volunteer_register(user=person, real_name=REAL_NAME, id_number=ID_NUMBER, need_types=["care_service"])
    team = OrganizationFactory(verified=True, team=True, admin=UserFactory())
    client.force_login(person)
    response = client.post(
        "/volunteers/me/", {"need_types": ["care_service", "counselling"], "team": team.pk}
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(user=person)
    assert volunteer.need_types == ["care_service", "counselling"]
    assert Membership.objects.get(organization=team, user=person).status == MembershipStatus.REQUESTED
    page = client.get("/volunteers/me/").content.decode()
    assert REAL_NAME not in page and ID_NUMBER not in page


def test_choosing_no_team_leaves_the_team(client, person):
    team_admin = UserFactory()
    team = OrganizationFactory(verified=True, team=True, admin=team_admin)
    volunteer_register(
        user=person, real_name=REAL_NAME, id_number=ID_NUMBER, need_types=["care_service"], team=team
    )
    membership = Membership.objects.get(organization=team, user=person)
    membership_decide(membership=membership, actor=team_admin, approve=True)
    assert Volunteer.objects.get(user=person).team == team
    client.force_login(person)
    response = client.post("/volunteers/me/", {"need_types": ["care_service"], "team": ""})
    assert response.status_code == 302
    assert Volunteer.objects.get(user=person).team is None
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REMOVED
