"""claim_announce reads the claim, its need, its claimant and its holder's public name in one
statement: the claimant and the county's caseworkers are told (in the portal, and by e-mail once
committed) with the organization's name or the volunteer's masked name, and the volunteer's
encrypted real name and ID number are never read. A claim is announced once: a second run, or a
claim already announced or unknown, tells no one and returns False. The whole announcement
costs three statements on PostgreSQL: the claim, the caseworkers, and the notifications written
by the statement that clears the claim's flag.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import Notification
from accounts.roles import Role
from core.formatting import format_need_amount
from marketplace.claims.models import Claim
from marketplace.claims.services.claims import claim_announce, need_claim
from marketplace.organizations.models import MembershipRole, Volunteer
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

# The claim with its need, claimant and holder, the caseworkers, and the notifications of the
# claimant and of the caseworkers written by the statement that clears the flag (PostgreSQL);
# elsewhere that last step is a transaction (a savepoint in the test's): the flag's update, the
# notifications, the release.
ANNOUNCE_QUERIES = 3 if connection.vendor == "postgresql" else 6
REAL_NAME = "林晓雯"
SECRET_COLUMNS = tuple(Volunteer._meta.get_field(name).column for name in ("real_name", "id_number"))


@pytest.fixture
def caseworkers():
    county = Region.objects.get(code="420111")
    told = [UserFactory(roles=[Role.CASEWORKER], region=county) for _ in range(2)]
    UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420100"))  # the city: not told
    return told


def organization_claim():
    charity = OrganizationFactory(verified=True, need_types=[], name="洪山区晨曦公益慈善会")
    member = MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user
    need = NeedFactory(region="420111", target_amount="1000.00")
    claim = need_claim(need=need, amount=Decimal("300.00"), actor=member, organization=charity)
    return claim, need, charity.name


def volunteer_claim():
    volunteer = VolunteerFactory(real_name=REAL_NAME, masked_name="林**")
    need = NeedFactory(region="420111", need_type="care_service", amount_kind="hours", target_amount="20")
    claim = need_claim(need=need, amount=Decimal("8"), actor=volunteer.user, volunteer=volunteer)
    return claim, need, "林**"


def worded(need, amount: str) -> str:
    """An amount as the messages word it: in the portal's language, in the need's unit."""
    with translation.override(settings.LANGUAGE_CODE):
        return format_need_amount(need, Decimal(amount))


def notes_of(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user))


def test_a_volunteers_claim_is_announced_by_masked_name_without_reading_the_real_name(
    caseworkers, django_capture_on_commit_callbacks
):
    claim, need, holder = volunteer_claim()
    assert claim.announce_pending and not Notification.objects.exists()

    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert claim_announce(claim_id=claim.pk) is True

    sql = " ".join(query["sql"] for query in captured.captured_queries)
    for column in SECRET_COLUMNS:  # the encrypted fields were neither selected nor loaded later
        assert column not in sql
    assert len(captured.captured_queries) == ANNOUNCE_QUERIES, sql
    if connection.vendor == "postgresql":  # the flag's update gates the notifications' insert
        assert "WITH cleared AS (UPDATE" in sql and "WHERE EXISTS (SELECT 1 FROM cleared)" in sql
    (mine,) = notes_of(claim.claimant)
    assert need.code in mine.subject and worded(need, "8") in mine.subject
    for caseworker in caseworkers:
        (note,) = notes_of(caseworker)
        assert need.code in note.subject and holder in note.subject and worded(need, "8") in note.subject
        assert worded(need, "12") in note.body  # what is still open after this claim
        assert REAL_NAME not in note.subject + note.body
    assert Notification.objects.count() == 1 + len(caseworkers)
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {claim.claimant.email, *(caseworker.email for caseworker in caseworkers)}
    assert holder in sent[caseworkers[0].email].subject
    assert all(REAL_NAME not in message.subject + message.body for message in mail.outbox)
    claim.refresh_from_db()
    assert claim.announce_pending is False


def test_an_organizations_claim_is_announced_by_its_name(caseworkers, django_assert_num_queries):
    claim, need, holder = organization_claim()

    with django_assert_num_queries(ANNOUNCE_QUERIES):
        assert claim_announce(claim_id=claim.pk) is True

    (mine,) = notes_of(claim.claimant)
    assert need.code in mine.subject and worded(need, "300.00") in mine.subject
    assert mine.url.endswith(f"#claim-{claim.pk}")
    for caseworker in caseworkers:
        (note,) = notes_of(caseworker)
        assert holder in note.subject and need.code in note.subject
        assert worded(need, "700.00") in note.body  # what is still open after this claim
    assert Notification.objects.count() == 1 + len(caseworkers)
    assert Claim.objects.get(pk=claim.pk).announce_pending is False


def test_without_caseworkers_anywhere_only_the_claimant_is_told(django_assert_num_queries):
    claim, _need, _holder = organization_claim()
    with django_assert_num_queries(ANNOUNCE_QUERIES):  # the claimant's note alone, as many statements
        assert claim_announce(claim_id=claim.pk) is True
    assert [note.user_id for note in Notification.objects.all()] == [claim.claimant_id]


@pytest.mark.parametrize("make", [organization_claim, volunteer_claim])
def test_running_the_announcement_twice_tells_each_one_once(make, caseworkers, django_assert_num_queries):
    claim, _need, _holder = make()
    assert claim_announce(claim_id=claim.pk) is True
    # The second run: the read that finds nothing pending.
    with django_assert_num_queries(1):
        assert claim_announce(claim_id=claim.pk) is False
    assert len(notes_of(claim.claimant)) == 1
    assert all(len(notes_of(caseworker)) == 1 for caseworker in caseworkers)


def test_a_claim_already_announced_or_unknown_tells_no_one(caseworkers):
    announced = ClaimFactory(need=NeedFactory(region="420111"), amount=Decimal("100.00"))
    assert announced.announce_pending is False  # as a claim whose announcement went out
    assert claim_announce(claim_id=announced.pk) is False
    assert claim_announce(claim_id=announced.pk + 1000) is False
    assert not Notification.objects.exists()
    assert not mail.outbox
