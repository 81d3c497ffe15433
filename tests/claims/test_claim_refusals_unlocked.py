"""A claim that the need as its request read it already refuses is refused at once: ``not_open``
for a need fully claimed, ``over_remaining`` (naming what is still open) for more than is open,
with no transaction opened, no row locked and the claims never summed. A need read before
someone else claimed it is checked again under the lock, so a claim the stale read allowed is
still refused and nothing is over-allocated. Who may claim is still asked first: an ineligible
user hears that (403), not that the need is closed. The API answers the same.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from accounts.tokens import api_token_create
from marketplace.claims.errors import ClaimRefused
from marketplace.claims.models import HOLDING_CLAIM_STATUSES, Claim
from marketplace.claims.services.claims import need_claim
from marketplace.needs.models import Need, NeedStatus
from marketplace.needs.selectors import need_public_get
from marketplace.organizations.models import MembershipRole
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

CLAIMS_TABLE, NEEDS_TABLE = Claim._meta.db_table, Need._meta.db_table


@pytest.fixture
def need():
    return NeedFactory(target_amount="1000.00")


def member_of_a_new_charity():
    charity = OrganizationFactory(verified=True, need_types=[])
    return MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user, charity


@pytest.fixture
def member():
    return member_of_a_new_charity()


def claimed_elsewhere(need: Need, amount: str) -> None:
    """Another organization's claim, made through the service on a fresh read of the need."""
    user, charity = member_of_a_new_charity()
    need_claim(need=need_public_get(code=need.code), amount=Decimal(amount), actor=user, organization=charity)


def statements(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def assert_no_lock_nor_transaction(sql: list[str]) -> None:
    assert not [s for s in sql if "FOR UPDATE" in s.upper()], sql
    assert not [s for s in sql if "SAVEPOINT" in s.upper() or s.upper().startswith("BEGIN")], sql
    # The claimed sum is read only under the lock: the claims were not even summed.
    assert not [s for s in sql if CLAIMS_TABLE in s], sql


def assert_checked_under_the_lock(sql: list[str], *, summed: bool = True) -> None:
    assert [s for s in sql if "SAVEPOINT" in s.upper()], sql  # need_claim's transaction
    assert [s for s in sql if NEEDS_TABLE in s and "hold_reasons" in s], sql  # the locked read
    # The claimed sum is read again under the lock (a need no longer open is refused before).
    assert bool([s for s in sql if CLAIMS_TABLE in s and "SUM(" in s.upper()]) is summed, sql
    if connection.vendor == "postgresql":
        assert [s for s in sql if "FOR UPDATE" in s.upper()], sql


def holding_sum(need: Need) -> Decimal:
    return Claim.objects.filter(need=need, status__in=HOLDING_CLAIM_STATUSES).aggregate(s=Sum("amount"))["s"]


def test_a_fully_claimed_need_is_refused_not_open_without_a_lock(need, member):
    ClaimFactory(need=need, amount=Decimal("1000.00"))
    read = need_public_get(code=need.code)
    assert read.status == NeedStatus.CLAIMED
    user, charity = member

    with CaptureQueriesContext(connection) as captured, pytest.raises(ClaimRefused) as refused:
        need_claim(need=read, amount=Decimal("1.00"), actor=user, organization=charity)

    assert refused.value.code == "not_open" and refused.value.http_status == 409
    assert_no_lock_nor_transaction(statements(captured))
    assert Claim.objects.filter(need=need).count() == 1


def test_more_than_is_open_is_refused_without_a_lock_and_names_what_is_open(need, member):
    ClaimFactory(need=need, amount=Decimal("600.00"))
    read = need_public_get(code=need.code)
    user, charity = member

    with CaptureQueriesContext(connection) as captured, pytest.raises(ClaimRefused) as refused:
        need_claim(need=read, amount=Decimal("400.01"), actor=user, organization=charity)

    assert refused.value.code == "over_remaining"
    assert "400.00" in str(refused.value.message)
    assert_no_lock_nor_transaction(statements(captured))
    need.refresh_from_db()
    assert need.claimed_amount == Decimal("600.00")
    # Exactly what is open is still taken, under the lock.
    with CaptureQueriesContext(connection) as captured:
        claim = need_claim(need=read, amount=Decimal("400.00"), actor=user, organization=charity)
    assert_checked_under_the_lock(statements(captured))
    need.refresh_from_db()
    assert (claim.amount, need.claimed_amount, need.status) == (
        Decimal("400.00"),
        Decimal("1000.00"),
        NeedStatus.CLAIMED,
    )


def test_a_stale_read_that_allows_the_amount_is_refused_under_the_lock(need, member):
    stale = need_public_get(code=need.code)  # read by this request: nothing claimed yet
    claimed_elsewhere(need, "900.00")  # meanwhile another organization claims most of it
    user, charity = member

    with CaptureQueriesContext(connection) as captured, pytest.raises(ClaimRefused) as refused:
        need_claim(need=stale, amount=Decimal("200.00"), actor=user, organization=charity)

    assert refused.value.code == "over_remaining"
    assert "100.00" in str(refused.value.message)  # what the locked row leaves, not the stale read
    assert_checked_under_the_lock(statements(captured))
    need.refresh_from_db()
    assert need.claimed_amount == holding_sum(need) == Decimal("900.00")
    assert need.status == NeedStatus.PARTIALLY_CLAIMED
    assert not Claim.objects.filter(organization=charity).exists()


def test_a_stale_read_of_an_open_need_is_refused_not_open_once_it_is_claimed(need, member):
    stale = need_public_get(code=need.code)
    claimed_elsewhere(need, "1000.00")
    user, charity = member

    with CaptureQueriesContext(connection) as captured, pytest.raises(ClaimRefused) as refused:
        need_claim(need=stale, amount=Decimal("1.00"), actor=user, organization=charity)

    assert refused.value.code == "not_open"
    assert_checked_under_the_lock(statements(captured), summed=False)
    need.refresh_from_db()
    assert need.claimed_amount == holding_sum(need) == need.target_amount
    assert Claim.objects.filter(need=need).count() == 1


def test_who_may_claim_is_asked_before_whether_the_need_is_open(need, member):
    ClaimFactory(need=need, amount=Decimal("1000.00"))
    read = need_public_get(code=need.code)
    _user, charity = member
    outsider = UserFactory()
    volunteer = VolunteerFactory()
    unverified = OrganizationFactory(need_types=[])
    applicant = MembershipFactory(organization=unverified, role=MembershipRole.MEMBER).user

    cases = [
        (dict(actor=outsider, organization=charity), "not_eligible"),  # not a member
        (dict(actor=volunteer.user, volunteer=volunteer), "not_eligible"),  # money, not service hours
        (dict(actor=applicant, organization=unverified), "not_verified"),
    ]
    for kwargs, reason in cases:
        with pytest.raises(ClaimRefused) as refused:
            need_claim(need=read, amount=Decimal("5000.00"), **kwargs)
        assert (refused.value.code, refused.value.http_status) == (reason, 403)
    assert Claim.objects.filter(need=need).count() == 1


# --- through the API ----------------------------------------------------------------------------


def post_claim(client, need, key, amount):
    return client.post(
        f"/api/v1/needs/{need.code}/claims/",
        {"amount": amount},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )


def test_the_api_refuses_a_closed_need_and_an_amount_over_what_is_open_without_a_lock(client, need, member):
    user, _charity = member
    _token, key = api_token_create(user=user)
    ClaimFactory(need=need, amount=Decimal("600.00"))

    with CaptureQueriesContext(connection) as captured:
        over = post_claim(client, need, key, "400.01")
    assert over.status_code == 409, over.content
    assert over.json()["reason"] == "over_remaining"
    assert "400.00" in over.json()["message"]
    assert not [s for s in statements(captured) if "FOR UPDATE" in s.upper()]
    assert not [s for s in statements(captured) if CLAIMS_TABLE in s and "SUM(" in s.upper()]

    ClaimFactory(need=need, amount=Decimal("400.00"))
    with CaptureQueriesContext(connection) as captured:
        closed = post_claim(client, need, key, "1.00")
    assert closed.status_code == 409, closed.content
    assert closed.json()["reason"] == "not_open"
    assert not [s for s in statements(captured) if "FOR UPDATE" in s.upper()]
    assert not [s for s in statements(captured) if CLAIMS_TABLE in s and "SUM(" in s.upper()]
    need.refresh_from_db()
    assert need.claimed_amount == holding_sum(need) == Decimal("1000.00")


def test_the_api_tells_an_ineligible_user_so_even_on_a_closed_need(client, need):
    ClaimFactory(need=need, amount=Decimal("1000.00"))
    volunteer = VolunteerFactory()
    _token, key = api_token_create(user=volunteer.user)
    response = post_claim(client, need, key, "1.00")
    assert response.status_code == 403, response.content
    assert response.json()["reason"] == "not_eligible"
