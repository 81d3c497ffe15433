"""The household's assistance chain and the duplicate-aid warning."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from accounts.models import Notification
from accounts.roles import Role
from marketplace.delivery.models import AssistanceRecord, DuplicateAidAlert
from marketplace.delivery.services.chain import (
    check_duplicate_aid,
    duplicate_aid_warning,
    duplicate_alert_resolve,
    household_chain,
)
from marketplace.delivery.services.reports import delivery_report
from marketplace.delivery.services.verification import delivery_verify
from marketplace.organizations.models import MembershipRole
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import NeedFactory, household_token
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker():
    return UserFactory(caseworker=True)  # Hongshan district, 420111


@pytest.fixture
def other_caseworker():
    return UserFactory(caseworker=True, region=Region.objects.get(code="420102"))


@pytest.fixture
def token():
    return household_token()


def delivered(need, caseworker, amount, *, organization=None):
    """A claim on ``need`` delivered and verified for ``amount``."""
    claim = ClaimFactory(need=need, organization=organization, amount=amount)
    delivery = delivery_report(
        claim=claim,
        actor=claim.claimant,
        amount=amount,
        delivered_on=timezone.localdate(),
        description="已送达",
        files=[upload("a.png", png_bytes(), "image/png")],
    )
    delivery_verify(delivery=delivery, actor=caseworker)
    return claim


# --- duplicate aid ---------------------------------------------------------------------------------


def test_same_household_same_type_within_the_window_beyond_what_was_asked_is_alerted(token, caseworker):
    earlier = NeedFactory(household_token=token, need_type="medical", target_amount="2000.00")
    delivered(
        earlier,
        caseworker,
        "2000.00",
        organization=OrganizationFactory(verified=True, need_types=[], name="甲慈善会"),
    )
    new_need = NeedFactory(household_token=token, need_type="medical", target_amount="1500.00")
    claim = ClaimFactory(
        need=new_need,
        organization=OrganizationFactory(verified=True, need_types=[], name="乙基金会"),
        amount="1000.00",
    )

    alert = check_duplicate_aid(need=new_need, claim=claim)

    assert isinstance(alert, DuplicateAidAlert)
    assert alert.household_token == token
    assert alert.need == new_need
    assert alert.claim == claim
    assert alert.window_days == 90
    assert earlier.code in alert.detail
    assert Notification.objects.filter(user=caseworker, subject__contains=new_need.code).exists()
    # checking again does not raise a second alert
    assert check_duplicate_aid(need=new_need, claim=claim) == alert
    assert DuplicateAidAlert.objects.count() == 1


def test_the_warning_reveals_no_token_and_no_identity(token, caseworker):
    earlier = NeedFactory(household_token=token, target_amount="2000.00")
    delivered(earlier, caseworker, "2000.00")
    new_need = NeedFactory(household_token=token, target_amount="1500.00")
    assert duplicate_aid_warning(need=new_need) is None
    check_duplicate_aid(need=new_need, claim=ClaimFactory(need=new_need, amount="1000.00"))

    for language in ("en", "zh-hans"):
        with translation.override(language):
            warning = duplicate_aid_warning(need=new_need)
            assert warning
            assert token not in warning
            assert token.split(":")[1][:8] not in warning
            assert earlier.code not in warning
            assert new_need.code not in warning
            assert "90" in warning
    with translation.override("en"):
        assert "same kind of help" in duplicate_aid_warning(need=new_need)


def test_aid_within_what_was_asked_raises_nothing(token, caseworker):
    earlier = NeedFactory(household_token=token, target_amount="500.00")
    delivered(earlier, caseworker, "500.00")
    new_need = NeedFactory(household_token=token, target_amount="1500.00")
    claim = ClaimFactory(need=new_need, amount="1000.00")  # 500 + 1000 = 1500: exactly what was asked
    assert check_duplicate_aid(need=new_need, claim=claim) is None
    assert duplicate_aid_warning(need=new_need) is None


def test_active_claims_on_other_needs_count_too(token):
    earlier = NeedFactory(household_token=token, target_amount="800.00")
    ClaimFactory(need=earlier, amount="800.00")  # promised, not yet delivered
    new_need = NeedFactory(household_token=token, target_amount="1000.00")
    assert check_duplicate_aid(need=new_need, claim=ClaimFactory(need=new_need, amount="300.00"))


def test_a_claim_and_its_verified_delivery_are_not_counted_twice(token, caseworker):
    earlier = NeedFactory(household_token=token, target_amount="600.00")
    delivered(earlier, caseworker, "600.00")  # a completed claim and its record: 600, not 1,200
    new_need = NeedFactory(household_token=token, target_amount="1000.00")
    assert check_duplicate_aid(need=new_need, claim=ClaimFactory(need=new_need, amount="400.00")) is None


def test_nothing_outside_the_window(token, caseworker):
    long_ago = timezone.now() - timedelta(days=120)
    with time_machine.travel(long_ago):
        earlier = NeedFactory(household_token=token, target_amount="2000.00")
        delivered(earlier, caseworker, "2000.00")
    assert AssistanceRecord.objects.get(need=earlier).delivered_on < timezone.localdate() - timedelta(days=90)
    new_need = NeedFactory(household_token=token, target_amount="1500.00")
    assert check_duplicate_aid(need=new_need, claim=ClaimFactory(need=new_need, amount="1500.00")) is None


def test_the_window_follows_the_setting(token, caseworker, settings):
    settings.DUPLICATE_AID_WINDOW_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=45)):
        earlier = NeedFactory(household_token=token, target_amount="2000.00")
        delivered(earlier, caseworker, "2000.00")
    new_need = NeedFactory(household_token=token, target_amount="1500.00")
    assert check_duplicate_aid(need=new_need, claim=ClaimFactory(need=new_need, amount="1500.00")) is None
    settings.DUPLICATE_AID_WINDOW_DAYS = 60
    alert = check_duplicate_aid(need=new_need)
    assert alert is not None
    assert alert.window_days == 60


def test_nothing_for_another_type_or_another_household(token, caseworker):
    earlier = NeedFactory(household_token=token, need_type="education", target_amount="2000.00")
    delivered(earlier, caseworker, "2000.00")
    other_type = NeedFactory(household_token=token, need_type="medical", target_amount="1500.00")
    assert check_duplicate_aid(need=other_type, claim=ClaimFactory(need=other_type, amount="1500.00")) is None
    other_household = NeedFactory(need_type="education", target_amount="1500.00")
    assert check_duplicate_aid(need=other_household, claim=ClaimFactory(need=other_household)) is None


def test_a_new_need_is_checked_without_a_claim(token, caseworker):
    earlier = NeedFactory(household_token=token, target_amount="2000.00")
    delivered(earlier, caseworker, "2000.00")
    asks_less = NeedFactory(household_token=token, target_amount="1500.00")
    alert = check_duplicate_aid(need=asks_less)
    assert alert is not None
    assert alert.claim is None
    asks_more = NeedFactory(household_token=token, target_amount="2500.00")
    assert check_duplicate_aid(need=asks_more) is None


def test_the_caseworker_resolves_an_alert_and_the_warning_goes(token, caseworker, other_caseworker):
    earlier = NeedFactory(household_token=token, target_amount="2000.00")
    delivered(earlier, caseworker, "2000.00")
    new_need = NeedFactory(household_token=token, target_amount="1500.00")
    alert = check_duplicate_aid(need=new_need, claim=ClaimFactory(need=new_need, amount="1000.00"))
    with pytest.raises(PermissionDenied):
        duplicate_alert_resolve(alert=alert, actor=other_caseworker)
    resolved = duplicate_alert_resolve(alert=alert, actor=caseworker)
    assert resolved.resolved_by == caseworker
    assert duplicate_aid_warning(need=new_need) is None
    assert duplicate_alert_resolve(alert=alert, actor=caseworker).resolved_at == resolved.resolved_at


def test_the_alert_list_and_its_resolve_action(client, token, caseworker, other_caseworker):
    earlier = NeedFactory(household_token=token, target_amount="2000.00")
    delivered(earlier, caseworker, "2000.00")
    new_need = NeedFactory(household_token=token, target_amount="1500.00")
    alert = check_duplicate_aid(need=new_need, claim=ClaimFactory(need=new_need, amount="1000.00"))

    client.force_login(other_caseworker)
    assert new_need.code not in client.get("/admin/duplicate-aid/").text
    assert client.post(f"/admin/duplicate-aid/{alert.pk}/resolve/").status_code == 404

    client.force_login(caseworker)
    page = client.get("/admin/duplicate-aid/")
    assert page.status_code == 200
    assert new_need.code in page.text
    assert client.post(f"/admin/duplicate-aid/{alert.pk}/resolve/").status_code == 302
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert new_need.code in client.get("/admin/duplicate-aid/?resolved=1").text


def test_the_claimant_sees_the_warning_on_the_deliver_page(client, token, caseworker):
    earlier = NeedFactory(household_token=token, target_amount="2000.00")
    delivered(earlier, caseworker, "2000.00")
    new_need = NeedFactory(household_token=token, target_amount="1500.00")
    organization = OrganizationFactory(verified=True, need_types=[])
    member = MembershipFactory(organization=organization, role=MembershipRole.ADMIN).user
    claim = ClaimFactory(need=new_need, organization=organization, claimant=member, amount="1000.00")
    check_duplicate_aid(need=new_need, claim=claim)
    client.force_login(member)
    with translation.override("en"):
        page = client.get(f"/claims/{claim.pk}/deliver/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert token not in page.text
    assert earlier.code not in page.text
    assert 'class="delivery-warning"' in page.text


# --- the chain -------------------------------------------------------------------------------------


@pytest.fixture
def chain(token, caseworker):
    first = NeedFactory(household_token=token, need_type="medical", target_amount="700.00")
    delivered(
        first,
        caseworker,
        "700.00",
        organization=OrganizationFactory(verified=True, need_types=[], name="甲慈善会"),
    )
    second = NeedFactory(household_token=token, need_type="education", target_amount="300.00")
    delivered(
        second,
        caseworker,
        "300.00",
        organization=OrganizationFactory(verified=True, need_types=[], name="乙基金会"),
    )
    NeedFactory(need_type="medical")  # another household
    return first, second


def test_the_chain_is_visible_to_staff_of_the_needs_region_only(token, chain, caseworker, other_caseworker):
    first, second = chain
    records = household_chain(user=caseworker, household_token=token)
    assert {record.need for record in records} == {first, second}
    assert sum(record.amount for record in records) == Decimal("1000.00")
    assert {record.provider for record in records} == {"甲慈善会", "乙基金会"}

    assert household_chain(user=UserFactory(supervisor=True), household_token=token).count() == 2  # Wuhan
    assert household_chain(user=UserFactory(administrator=True), household_token=token).count() == 2
    assert not household_chain(user=other_caseworker, household_token=token).exists()
    member = MembershipFactory(
        organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
    ).user
    assert not household_chain(user=member, household_token=token).exists()
    hotline = UserFactory(roles=[Role.HOTLINE_OPERATOR], region=Region.objects.get(code="420100"))
    assert not household_chain(user=hotline, household_token=token).exists()
    assert not household_chain(user=caseworker, household_token="").exists()


def test_the_chain_page_from_a_need(client, token, chain, caseworker, other_caseworker):
    first, second = chain
    client.force_login(caseworker)
    page = client.get(f"/admin/assistance-chain/need/{first.code}/")
    assert page.status_code == 200
    assert first.code in page.text
    assert second.code in page.text
    assert "甲慈善会" in page.text
    assert "乙基金会" in page.text
    search = client.get("/admin/assistance-chain/", {"q": second.code})
    assert search.status_code == 302
    assert search["Location"] == f"/admin/assistance-chain/need/{second.code}/"
    by_token = client.get("/admin/assistance-chain/", {"q": token})
    assert first.code in by_token.text

    client.force_login(other_caseworker)
    assert client.get(f"/admin/assistance-chain/need/{first.code}/").status_code == 404
    assert first.code not in client.get("/admin/assistance-chain/", {"q": token}).text
    client.force_login(
        MembershipFactory(
            organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
        ).user
    )
    response = client.get(f"/admin/assistance-chain/need/{first.code}/")
    assert response.status_code in (302, 403)
    assert first.code not in response.text


def test_a_department_handler_sees_only_their_departments_part_of_the_chain(client, token, caseworker):
    """Issue 9, item 4: scoped by region and department, as accounts.scoping promises."""
    medical = NeedFactory(
        household_token=token, need_type="medical", department="health", target_amount="700.00"
    )
    delivered(
        medical,
        caseworker,
        "700.00",
        organization=OrganizationFactory(verified=True, need_types=[], name="甲慈善会"),
    )
    schooling = NeedFactory(
        household_token=token, need_type="education", department="education", target_amount="300.00"
    )
    delivered(
        schooling,
        caseworker,
        "300.00",
        organization=OrganizationFactory(verified=True, need_types=[], name="乙基金会"),
    )
    wuhan = Region.objects.get(code="420100")
    education = UserFactory(roles=[Role.DEPARTMENT_HANDLER], region=wuhan, department="education")
    health_elsewhere = UserFactory(
        roles=[Role.DEPARTMENT_HANDLER], region=Region.objects.get(code="420500"), department="health"
    )

    assert [record.need for record in household_chain(user=education, household_token=token)] == [schooling]
    assert not household_chain(user=health_elsewhere, household_token=token).exists()
    assert household_chain(user=caseworker, household_token=token).count() == 2  # caseworkers see all

    client.force_login(education)
    page = client.get(f"/admin/assistance-chain/need/{schooling.code}/")
    assert page.status_code == 200
    assert "乙基金会" in page.text
    assert medical.code not in page.text
    assert "甲慈善会" not in page.text
    assert client.get(f"/admin/assistance-chain/need/{medical.code}/").status_code == 404
    by_token = client.get("/admin/assistance-chain/", {"q": token})
    assert schooling.code in by_token.text
    assert medical.code not in by_token.text
    by_code = client.get("/admin/assistance-chain/", {"q": medical.code})
    assert by_code.status_code == 200  # not found: no redirect to a chain the handler may not see
    assert "甲慈善会" not in by_code.text
