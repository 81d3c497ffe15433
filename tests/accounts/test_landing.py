"""Where signing in lands each user, API tokens one level down, and the public site's link to the
back office (issue 11, item 3)."""

from __future__ import annotations

import pytest

from accounts.permissions import VERIFIED_ORGANIZATION
from accounts.roles import STAFF_ROLES, Role
from marketplace.organizations.models import OrganizationStatus
from tests.factories.accounts import UserFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN = "/account/login/"


def sign_in(client, user, **query):
    return client.post(
        LOGIN + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
        {
            "username": user.username,
            "password": PASSWORD,
        },
    )


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_land_in_the_back_office(client, role):
    user = UserFactory(roles=[role], region_id=None if role == Role.ADMINISTRATOR else "420100")
    assert sign_in(client, user)["Location"] == "/admin/"


def test_a_superuser_lands_in_the_back_office(client):
    assert sign_in(client, UserFactory(is_superuser=True))["Location"] == "/admin/"


def test_a_member_of_a_verified_organization_lands_on_their_claims(client):
    member = MembershipFactory(organization=OrganizationFactory(verified=True)).user
    assert sign_in(client, member)["Location"] == "/claims/mine/"


def test_a_volunteer_lands_on_their_claims(client):
    assert sign_in(client, VolunteerFactory().user)["Location"] == "/claims/mine/"


def test_a_member_of_an_organization_not_yet_verified_lands_on_their_organization(client):
    member = MembershipFactory(organization=OrganizationFactory()).user  # pending
    assert sign_in(client, member)["Location"] == "/organizations/mine/"


def test_someone_without_organization_lands_where_they_can_register_or_join(client):
    assert sign_in(client, UserFactory())["Location"] == "/organizations/mine/"


def test_a_safe_next_address_is_followed(client):
    member = MembershipFactory(organization=OrganizationFactory(verified=True)).user
    assert sign_in(client, member, next="/needs/")["Location"] == "/needs/"
    client.logout()
    staff = UserFactory(caseworker=True)
    assert sign_in(client, staff, next="/account/notifications/")["Location"] == "/account/notifications/"


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_a_next_address_elsewhere_is_refused(client, unsafe):
    member = MembershipFactory(organization=OrganizationFactory(verified=True)).user
    response = client.post(LOGIN, {"username": member.username, "password": PASSWORD, "next": unsafe})
    assert response["Location"] == "/claims/mine/"


def test_a_signed_in_user_opening_the_sign_in_page_goes_to_their_landing(client):
    client.force_login(UserFactory(caseworker=True))
    assert client.get(LOGIN)["Location"] == "/admin/"


def test_the_verified_status_agrees_with_the_organizations_model():
    assert VERIFIED_ORGANIZATION == OrganizationStatus.VERIFIED


# --- API tokens one level down ---------------------------------------------------------------------


def test_the_account_page_is_about_the_account_and_links_to_the_tokens(client):
    client.force_login(UserFactory())
    page = client.get("/account/").content.decode()
    assert 'href="/account/tokens/"' in page
    assert "API 令牌" in page  # the link
    assert "创建令牌" not in page  # the tokens' form lives on /account/tokens/
    tokens = client.get("/account/tokens/")
    assert tokens.status_code == 200
    assert "创建令牌" in tokens.content.decode()


# --- the public site's link to the back office -------------------------------------------------------


def _header(client) -> str:
    page = client.get("/needs/").content.decode()
    return page[page.index('<header class="site-header">') : page.index("</header>")]


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_find_the_back_office_in_the_header(client, role):
    client.force_login(UserFactory(roles=[role], region_id="420100"))
    header = _header(client)
    assert 'href="/admin/"' in header
    assert "后台管理" in header


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: UserFactory(),
        lambda: MembershipFactory(organization=OrganizationFactory(verified=True)).user,
        lambda: VolunteerFactory().user,
    ],
    ids=["no-role", "member", "volunteer"],
)
def test_others_see_no_back_office_link(client, make_user):
    client.force_login(make_user())
    header = _header(client)
    assert 'href="/admin/"' not in header
    assert 'href="/claims/mine/"' in header
    client.logout()
    assert 'href="/admin/"' not in _header(client)
