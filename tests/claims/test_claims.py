"""Claims as charities, volunteers and caseworkers meet them: the API, the page and the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from accounts.tokens import api_token_create
from marketplace.claims.demo import seed_demo_claims
from marketplace.claims.errors import ClaimRefused, refusal_for_integrity_error
from marketplace.claims.models import Claim, ClaimStatus, ClaimTransition
from marketplace.claims.services.claims import claim_renew, claim_withdraw, need_claim
from marketplace.claims.services.leases import claims_expire_leases
from marketplace.claims.tasks import escalate_transfers, expire_claim_leases
from marketplace.needs.models import FeedbackEvent, Need, NeedStatus, NeedTransition
from marketplace.needs.services.status import need_set_status
from marketplace.organizations.models import MembershipRole, MembershipStatus, OrganizationStatus
from tests.factories.accounts import UserFactory
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def source():
    return SourceSystemFactory(region_code="420000")


@pytest.fixture
def need(source):
    return IntakeNeedFactory(source_system=source, target="1000.00")


@pytest.fixture
def charity():
    return OrganizationFactory(verified=True, need_types=[], name="洪山区阳光公益慈善会")


@pytest.fixture
def member(charity):
    return MembershipFactory(organization=charity, user__username="sunshine", role=MembershipRole.MEMBER).user


@pytest.fixture
def caseworker():
    return UserFactory(username="hongshan_caseworker", caseworker=True)


def post_claim(client, need, amount, **body):
    return client.post(
        f"/api/v1/needs/{need.code}/claims/",
        {"amount": amount, **body},
        content_type="application/json",
        **EN,
    )


def claim_by(user, need, amount, organization=None, **kwargs) -> Claim:
    return need_claim(need=need, amount=Decimal(amount), actor=user, organization=organization, **kwargs)


# --- claiming through the API --------------------------------------------------------------------


def test_a_member_of_a_verified_organization_claims_part_of_a_need(
    client, need, charity, member, caseworker, django_capture_on_commit_callbacks
):
    elsewhere = UserFactory(username="wuchang_caseworker", roles=[Role.CASEWORKER], region_id="420106")
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):  # the notifications follow the commit
        response = post_claim(client, need, "300.00", note="可送米油")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "300.00"
    assert body["organization"] == {"id": charity.pk, "name": charity.name}
    assert body["status"] == "active"
    need.refresh_from_db()
    assert (need.status, need.claimed_amount, need.remaining_amount) == (
        NeedStatus.PARTIALLY_CLAIMED,
        Decimal("300.00"),
        Decimal("700.00"),
    )
    claim = Claim.objects.get()
    assert claim.claimant == member and claim.organization == charity
    assert timedelta(days=13, hours=23) < claim.lease_expires_at - timezone.now() <= timedelta(days=14)
    assert NeedTransition.objects.filter(
        need=need, from_status=NeedStatus.PUBLISHED, to_status=NeedStatus.PARTIALLY_CLAIMED, actor=member
    ).exists()
    assert ClaimTransition.objects.filter(claim=claim, from_status="", to_status="active").exists()
    event = FeedbackEvent.objects.get(kind="claim")
    assert event.payload["claim_id"] == claim.pk and event.payload["amount"] == "300.00"
    assert event.payload["holder"] == charity.name
    assert Notification.objects.filter(user=member).count() == 1
    assert Notification.objects.filter(user=caseworker).count() == 1
    assert not Notification.objects.filter(user=elsewhere).exists()


NOT_WHOLE_FEN = ["0.005", "100.005", "0.001", "0.009", 0.005]
NOT_ASCII_DIGITS = ["١٢٣", "۱۲۳", "१२३", "１２３", "1_000", "1e2", "+5", "abc", ""]


@pytest.mark.parametrize(
    "bad", ["0", "-5", "0.00", 0, *NOT_WHOLE_FEN, *NOT_ASCII_DIGITS, None, True, [1], {}]
)
def test_the_amount_is_whole_fen_from_one_fen_in_ascii_digits(client, need, member, bad):
    client.force_login(member)
    response = post_claim(client, need, bad)
    assert response.status_code == 400, bad
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["amount"]
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    ("sent", "claimed"),
    [("0.01", "0.01"), ("12.50", "12.50"), (12.5, "12.50"), ("1.500", "1.50"), (7, "7.00")],
)
def test_amounts_in_whole_fen_are_claimed_as_sent(client, need, member, sent, claimed):
    client.force_login(member)
    response = post_claim(client, need, sent)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == claimed
    assert Claim.objects.get().amount == Decimal(claimed)


def test_a_claim_of_half_a_fen_says_why_in_chinese(client, need, member):
    client.force_login(member)
    response = client.post(
        f"/api/v1/needs/{need.code}/claims/", {"amount": "0.005"}, content_type="application/json"
    )
    assert response.json()["errors"]["amount"] == ["最多两位小数：金额精确到分（0.01）。"]


@pytest.mark.parametrize("bad", ["0.005", "١٢٣", "１２３", "0"])
def test_the_claim_form_refuses_what_is_not_whole_fen_in_ascii_digits(client, need, member, charity, bad):
    client.force_login(member)
    response = client.post(f"/needs/{need.code}/claim/", {"amount": bad, "holder": str(charity.pk)}, **EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert any(message in page for message in ("digits 0-9", "at least 0.01", "whole fen")), page
    assert not Claim.objects.exists()


def test_several_organizations_share_a_need_up_to_its_target(client, need, member):
    other = OrganizationFactory(verified=True, need_types=[])
    other_member = MembershipFactory(organization=other, role=MembershipRole.MEMBER).user
    client.force_login(member)
    assert post_claim(client, need, "600.00").status_code == 201

    client.force_login(other_member)
    over = post_claim(client, need, "400.01")
    assert over.status_code == 409
    assert over.json()["code"] == "conflict"
    assert over.json()["reason"] == "over_remaining"
    assert "400.00" in over.json()["message"]

    assert post_claim(client, need, "400.00").status_code == 201
    need.refresh_from_db()
    assert (need.status, need.claimed_amount) == (NeedStatus.CLAIMED, Decimal("1000.00"))

    third = MembershipFactory(
        organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.MEMBER
    ).user
    client.force_login(third)
    closed = post_claim(client, need, "1.00")
    assert closed.status_code == 409
    assert closed.json()["reason"] == "not_open"


def test_one_active_claim_per_organization_per_need(client, need, member, charity):
    colleague = MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user
    client.force_login(member)
    assert post_claim(client, need, "100.00").status_code == 201
    client.force_login(colleague)
    again = post_claim(client, need, "100.00")
    assert again.status_code == 409
    assert again.json()["reason"] == "already_claimed"


def test_an_unverified_organization_may_not_claim(client, need):
    for status in (OrganizationStatus.PENDING, OrganizationStatus.SUSPENDED, OrganizationStatus.REJECTED):
        organization = OrganizationFactory(need_types=[], status=status)
        user = MembershipFactory(organization=organization, role=MembershipRole.MEMBER).user
        client.force_login(user)
        response = post_claim(client, need, "10.00", organization=organization.pk)
        assert response.status_code == 403, status
        assert response.json()["reason"] == "not_verified"
        # Without naming it: their only organization is not verified.
        assert post_claim(client, need, "10.00").json()["reason"] == "not_verified"
    assert not Claim.objects.exists()


def test_only_active_members_may_claim_for_an_organization(client, need, charity):
    outsider = UserFactory(username="outsider")
    invited = MembershipFactory(
        organization=charity, status=MembershipStatus.INVITED, role=MembershipRole.MEMBER
    ).user
    for user in (outsider, invited):
        client.force_login(user)
        response = post_claim(client, need, "10.00", organization=charity.pk)
        assert response.status_code == 403
        assert response.json()["reason"] == "not_eligible"
    client.force_login(outsider)
    assert post_claim(client, need, "10.00").json()["reason"] == "not_eligible"


def test_anonymous_users_get_401_and_unknown_needs_404(client, need, member, source):
    response = post_claim(client, need, "10.00")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    client.force_login(member)
    assert post_claim(client, type("N", (), {"code": "NOPE"}), "10.00").status_code == 404
    need_set_status(need=need, to_status=NeedStatus.WITHDRAWN, note="test")
    assert post_claim(client, need, "10.00").status_code == 404


def test_a_member_of_several_organizations_says_which_one_claims(client, need, charity, member):
    second = OrganizationFactory(verified=True, need_types=[], name="第二慈善会")
    MembershipFactory(organization=second, user=member, role=MembershipRole.MEMBER)
    client.force_login(member)
    response = post_claim(client, need, "10.00")
    assert response.status_code == 400
    assert "organization" in response.json()["errors"]
    assert post_claim(client, need, "10.00", organization=second.pk).json()["organization"]["id"] == second.pk


def test_a_personal_api_token_claims_as_its_user(client, need, member):
    _token, key = api_token_create(user=member)
    response = client.post(
        f"/api/v1/needs/{need.code}/claims/",
        {"amount": "50.00"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 201, response.content
    assert Claim.objects.get().claimant == member


# --- volunteers ----------------------------------------------------------------------------------


def test_a_volunteer_claims_hours_of_a_service_need(client, source):
    volunteer = VolunteerFactory()
    service = IntakeNeedFactory(source_system=source, need_type="care_service", target="20")
    assert service.amount_kind == "hours"
    client.force_login(volunteer.user)
    response = post_claim(client, service, "8")
    assert response.status_code == 201, response.content
    assert response.json()["organization"] is None
    assert response.json()["holder"] == "Volunteer 林**"
    claim = Claim.objects.get()
    assert claim.volunteer == volunteer and claim.organization is None
    history = client.get(f"/api/v1/needs/{service.code}/claims/", **EN).json()
    assert history[0]["holder"] == "Volunteer 林**"


def test_volunteers_may_not_claim_other_needs(client, need):
    volunteer = VolunteerFactory()
    client.force_login(volunteer.user)
    response = post_claim(client, need, "10.00")
    assert response.status_code == 403
    assert response.json()["reason"] == "not_eligible"


def test_a_volunteer_who_is_also_a_member_may_choose_to_claim_as_a_volunteer(client, source, charity):
    volunteer = VolunteerFactory()
    MembershipFactory(organization=charity, user=volunteer.user, role=MembershipRole.MEMBER)
    service = IntakeNeedFactory(source_system=source, need_type="counselling", target="10")
    client.force_login(volunteer.user)
    assert post_claim(client, service, "2", volunteer=True).json()["organization"] is None
    assert post_claim(client, service, "2").json()["organization"]["id"] == charity.pk


# --- withdrawing, renewing and the lease ---------------------------------------------------------


def test_withdrawing_releases_the_amount_and_moves_the_status_back(
    client, need, member, charity, caseworker, django_capture_on_commit_callbacks
):
    other = OrganizationFactory(verified=True, need_types=[])
    other_member = MembershipFactory(organization=other, role=MembershipRole.MEMBER).user
    with django_capture_on_commit_callbacks(execute=True):  # the claims' notifications
        mine = claim_by(member, need, "600.00", charity)
        theirs = claim_by(other_member, need, "400.00", other)
    need.refresh_from_db()
    assert need.status == NeedStatus.CLAIMED

    client.force_login(member)
    url = f"/api/v1/claims/{mine.pk}/withdraw/"
    assert client.post(url, {"reason": ""}, content_type="application/json").status_code == 400
    client.force_login(other_member)
    assert client.post(url, {"reason": "不是我们的"}, content_type="application/json").status_code == 403

    client.force_login(member)
    response = client.post(url, {"reason": "物资调配不足"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    need.refresh_from_db()
    assert (need.status, need.claimed_amount) == (NeedStatus.PARTIALLY_CLAIMED, Decimal("400.00"))
    assert ClaimTransition.objects.filter(claim=mine, to_status="withdrawn", note="物资调配不足").exists()
    assert FeedbackEvent.objects.filter(kind="claim_released", payload__claim_id=mine.pk).exists()
    assert Notification.objects.filter(user=caseworker, subject__contains=need.code).count() == 3

    again = client.post(url, {"reason": "再撤一次"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["reason"] == "not_active"

    claim_withdraw(claim=theirs, actor=other_member, reason="改为下月帮扶")
    need.refresh_from_db()
    assert (need.status, need.claimed_amount) == (NeedStatus.PUBLISHED, Decimal("0"))
    published = NeedTransition.objects.filter(need=need, to_status=NeedStatus.PUBLISHED).order_by("pk")
    assert published.count() == 2  # the publication and the return to "published"


def test_a_reason_that_identifies_someone_is_refused(need, member, charity):
    claim = claim_by(member, need, "10.00", charity)
    with pytest.raises(ValidationError) as refused:
        claim_withdraw(claim=claim, actor=member, reason="联系人电话13912345678")
    assert "reason" in refused.value.message_dict


def test_renewing_extends_the_lease_from_now(client, need, member, charity):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        claim = claim_by(member, need, "10.00", charity)
    assert claim.lease_expires_at == start + timedelta(days=14)
    with time_machine.travel(start + timedelta(days=10), tick=False):
        client.force_login(member)
        response = client.post(f"/api/v1/claims/{claim.pk}/renew/")
        assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert claim.lease_expires_at == start + timedelta(days=24)
    assert ClaimTransition.objects.filter(claim=claim, from_status="active", to_status="active").exists()


def test_renewing_on_the_page_says_the_new_end_of_the_lease(client, need, member, charity):
    """Renewed on day 10 of 14, the lease runs to day 24: the message names that date, in
    Chinese, instead of promising 14 days more than the old end."""
    start = timezone.make_aware(datetime(2026, 12, 1, 9, 0))
    with time_machine.travel(start, tick=False):
        claim = claim_by(member, need, "10.00", charity)
    client.force_login(member)
    with time_machine.travel(start + timedelta(days=10), tick=False):
        client.post(f"/claims/{claim.pk}/renew/")
        page = client.get("/claims/mine/").content.decode()
    assert "认领已续期，有效期至 2026年12月25日" in page
    assert "再延长" not in page
    assert "续期后自续期之时起保留 14 天" in page


def test_only_the_holder_renews_and_only_while_active(need, member, charity):
    claim = claim_by(member, need, "10.00", charity)
    with pytest.raises(ClaimRefused) as refused:
        claim_renew(claim=claim, actor=UserFactory(username="stranger"))
    assert refused.value.code == "not_eligible" and refused.value.http_status == 403
    claim_withdraw(claim=claim, actor=member, reason="计划变更")
    with pytest.raises(ClaimRefused) as refused:
        claim_renew(claim=claim, actor=member)
    assert refused.value.code == "not_active" and refused.value.http_status == 409


def test_the_lease_expires_releases_the_amount_and_tells_the_claimant(
    need, member, charity, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        claim = claim_by(member, need, "1000.00", charity)
    need.refresh_from_db()
    assert need.status == NeedStatus.CLAIMED

    with time_machine.travel(start + timedelta(days=13, hours=23), tick=False):
        assert claims_expire_leases() == 0
    mail.outbox.clear()
    with time_machine.travel(start + timedelta(days=14, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert claims_expire_leases() == 1
        assert claims_expire_leases() == 0  # idempotent

    claim.refresh_from_db()
    need.refresh_from_db()
    assert claim.status == ClaimStatus.EXPIRED
    assert (need.status, need.claimed_amount) == (NeedStatus.PUBLISHED, Decimal("0"))
    assert ClaimTransition.objects.filter(claim=claim, to_status="expired", actor=None).exists()
    event = FeedbackEvent.objects.get(kind="claim_released")
    assert event.payload["reason"] == "lease_expired"
    note = Notification.objects.filter(user=member).latest("pk")
    assert need.code in note.subject
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert need.code in mail.outbox[0].subject


def test_a_renewed_claim_does_not_expire(need, member, charity):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        claim = claim_by(member, need, "10.00", charity)
    with time_machine.travel(start + timedelta(days=13), tick=False):
        claim_renew(claim=claim, actor=member)
    with time_machine.travel(start + timedelta(days=20), tick=False):
        assert claims_expire_leases() == 0
    with time_machine.travel(start + timedelta(days=27, minutes=1), tick=False):
        assert claims_expire_leases() == 1


def test_the_lease_length_comes_from_the_settings(settings, need, member, charity):
    settings.CLAIM_LEASE_DAYS = 3
    claim = claim_by(member, need, "10.00", charity)
    assert claim.lease_expires_at - claim.created_at < timedelta(days=3, seconds=5)


# --- the database's second line ------------------------------------------------------------------


def test_the_database_refuses_a_claimed_sum_over_the_target(need):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Need.objects.filter(pk=need.pk).update(claimed_amount=need.target_amount + 1)
    assert refusal_for_integrity_error(error.value).code == "over_remaining"


def test_the_database_refuses_a_second_active_claim_of_one_organization(need, member, charity):
    first = claim_by(member, need, "10.00", charity)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Claim.objects.create(
            need=need,
            organization=charity,
            claimant=member,
            amount=Decimal("5"),
            lease_expires_at=first.lease_expires_at,
        )
    assert refusal_for_integrity_error(error.value).code == "already_claimed"


# --- the public history --------------------------------------------------------------------------


def test_the_public_history_names_holders_and_amounts_but_no_user(client, need, member, charity):
    claim_by(member, need, "250.00", charity)
    second = claim_by(
        MembershipFactory(
            organization=(other := OrganizationFactory(verified=True, need_types=[], name="另一家基金会")),
            role=MembershipRole.MEMBER,
        ).user,
        need,
        "50.00",
        other,
    )
    claim_withdraw(claim=second, actor=second.claimant, reason="重复认领")

    response = client.get(f"/api/v1/needs/{need.code}/claims/", **EN)
    assert response.status_code == 200
    rows = response.json()
    assert [(row["holder"], row["amount"], row["status"]) for row in rows] == [
        (charity.name, "250.00", "active"),
        ("另一家基金会", "50.00", "withdrawn"),
    ]
    assert set(rows[0]) == {"holder", "amount", "date", "status", "status_label"}
    assert member.username not in response.content.decode()


def test_the_history_of_an_unpublished_need_is_not_found(client, need):
    assert client.get("/api/v1/needs/NOPE/claims/").status_code == 404
    need_set_status(need=need, to_status=NeedStatus.WITHDRAWN, note="test")
    assert client.get(f"/api/v1/needs/{need.code}/claims/").status_code == 404


# --- the need's page -----------------------------------------------------------------------------


def test_the_page_shows_the_gap_progress_history_and_a_login_prompt(client, need, member, charity):
    claim_by(member, need, "250.00", charity)
    page = client.get(f"/needs/{need.code}/", **EN).content.decode()
    assert '<progress id="claim-progress"' in page
    assert 'max="1000.00" value="250.00"' in page
    assert "Claimed: 25%" in page
    assert "750.00" in page  # still open
    assert charity.name in page
    assert "Log in to claim" in page
    assert member.username not in page


def test_a_member_claims_on_the_page_and_sees_renew_and_withdraw(client, need, member, charity):
    client.force_login(member)
    page = client.get(f"/needs/{need.code}/", **EN).content.decode()
    assert f'action="/needs/{need.code}/claim/"' in page
    assert 'name="holder"' in page and f'value="{charity.pk}"' in page

    response = client.post(f"/needs/{need.code}/claim/", {"amount": "200", "holder": str(charity.pk)}, **EN)
    assert response.status_code == 302
    page = client.get(response["Location"], **EN).content.decode()
    assert "Your claim is registered" in page
    assert "Renew the claim" in page and "Withdraw the claim" in page
    claim = Claim.objects.get()
    assert claim.amount == Decimal("200.00")

    response = client.post(
        f"/claims/{claim.pk}/withdraw/", {"reason": "计划变更", "next": f"/needs/{need.code}/"}, **EN
    )
    assert response["Location"] == f"/needs/{need.code}/"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN


def test_a_refused_claim_on_the_page_explains_why(client, need, member, charity):
    claim_by(
        MembershipFactory(
            organization=(other := OrganizationFactory(verified=True, need_types=[])),
            role=MembershipRole.MEMBER,
        ).user,
        need,
        "900.00",
        other,
    )
    client.force_login(member)
    response = client.post(f"/needs/{need.code}/claim/", {"amount": "200", "holder": str(charity.pk)}, **EN)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Only 100.00 yuan is still open on this need" in page
    assert 'role="alert"' in page
    assert Claim.objects.count() == 1


def test_the_page_is_chinese_by_default(client, need, member, charity):
    claim_by(member, need, "250.00", charity)
    response = client.get(f"/needs/{need.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="zh-hans"' in page
    assert 'id="claims"' in page and charity.name in page


def test_the_need_page_of_a_user_who_may_not_claim_says_how_to(client, need):
    client.force_login(UserFactory(username="someone"))
    page = client.get(f"/needs/{need.code}/", **EN).content.decode()
    assert "be an active member of a verified organization" in page
    assert f'action="/needs/{need.code}/claim/"' not in page


def test_my_claims_lists_the_organizations_claims_with_their_lease(client, need, member, charity):
    colleague = MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user
    claim = claim_by(colleague, need, "300.00", charity)
    assert client.get("/claims/mine/").status_code == 302  # login first
    client.force_login(member)
    page = client.get("/claims/mine/", **EN).content.decode()
    assert need.code in page and "300.00" in page
    assert "Held until" in page
    response = client.post(f"/claims/{claim.pk}/renew/", **EN)
    assert response.status_code == 302 and response["Location"] == "/claims/mine/"
    assert ClaimTransition.objects.filter(claim=claim, actor=member, from_status="active").exists()


# --- beat tasks and the demo ---------------------------------------------------------------------


def test_the_beat_tasks_expire_leases_and_escalate_transfers(need, member, charity):
    assert expire_claim_leases.name == "claims.expire_claim_leases"
    assert escalate_transfers.name == "claims.escalate_transfers"
    claim = claim_by(member, need, "10.00", charity)
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        assert expire_claim_leases.delay().get() == 1
        assert escalate_transfers.delay().get() == 0
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.EXPIRED


def test_the_demo_claims_wait_for_the_demo_organizations():
    assert seed_demo_claims() == {"skipped: demo organizations missing": 1}
    assert not Claim.objects.exists()


def test_the_demo_data_plays_every_claim_scenario_on_needs_it_published_itself():
    from accounts.demo import seed_demo_users
    from marketplace.needs.demo import seed_demo_needs
    from marketplace.organizations.demo import seed_demo_organizations

    seed_demo_users()
    seed_demo_needs()
    seed_demo_organizations()

    outcomes = seed_demo_claims()

    assert not [name for name in outcomes if "no open demo need" in name or "skipped" in name], outcomes
    assert Claim.objects.filter(volunteer__isnull=False, need__amount_kind="hours").exists()
    assert seed_demo_claims() == {f"{name}: already there": 1 for name in outcomes}
