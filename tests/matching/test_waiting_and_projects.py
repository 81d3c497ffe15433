"""Needs left waiting are alerted once per period; charity projects' pledges and figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from marketplace.matching.errors import MatchingRefused
from marketplace.matching.models import CharityProject, Offer, WaitingAlert
from marketplace.matching.services.projects import pledge_answer, pledge_make, project_figures
from marketplace.matching.services.waiting import waiting_needs_alert
from marketplace.needs.models import FeedbackEvent
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_waiting_needs_alert_caseworkers_department_and_platform_once_per_period(settings):
    settings.MATCHING_WAITING_DAYS = {"critical": 3, "urgent": 7, "normal": 30}
    county = Region.objects.get(code="420111")
    caseworker = UserFactory(roles=[Role.CASEWORKER], region=county)
    handler = UserFactory(
        roles=[Role.DEPARTMENT_HANDLER], region=Region.objects.get(code="420100"), department="education"
    )
    other_department = UserFactory(roles=[Role.DEPARTMENT_HANDLER], region=county, department="health")
    now = timezone.now()
    waiting = NeedFactory(
        region="420111", department="education", urgency="urgent", published_at=now - timedelta(days=8)
    )
    NeedFactory(region="420111", urgency="normal", published_at=now - timedelta(days=8))  # not yet
    NeedFactory(region="420111", urgency="urgent", published_at=now - timedelta(days=9), claimed_amount="10",
                status="partially_claimed")  # fmt: skip
    assert waiting_needs_alert(now=now) == 1
    assert waiting_needs_alert(now=now + timedelta(days=1)) == 0  # same period: nobody twice
    for user in (caseworker, handler):
        assert (
            Notification.objects.filter(user=user, url=reverse("needs:detail", args=[waiting.code])).count()
            == 1
        )
    assert not Notification.objects.filter(user=other_department).exists()
    event = FeedbackEvent.objects.get(kind="long_waiting")
    assert event.need == waiting and event.payload["days_waiting"] == 8
    # The next period (14 days for an urgent need) alerts again, once.
    assert waiting_needs_alert(now=now + timedelta(days=7)) == 1
    assert WaitingAlert.objects.filter(need=waiting).count() == 2


def project_with_admin():
    admin = UserFactory(roles=[Role.CHARITY_ADMIN])
    organization = OrganizationFactory(verified=True, admin=admin)
    today = timezone.localdate()
    project = CharityProject.objects.create(
        organization=organization, title="助学基金", need_type="education", region_id="420100",
        target=Decimal("1000"), starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30),
        created_by=admin,
    )  # fmt: skip
    return project, admin


def test_pledges_never_exceed_target_and_page_shows_what_was_received():
    project, admin = project_with_admin()
    donor = UserFactory()
    first = pledge_make(project=project, user=donor, amount="600", anonymous=True)
    with pytest.raises(MatchingRefused) as refused:
        pledge_make(project=project, user=UserFactory(), amount="500", anonymous=False)
    assert refused.value.code == "over_target"
    second = pledge_make(project=project, user=UserFactory(username="李四"), amount="400", anonymous=False)
    pledge_answer(pledge=first, actor=admin, received=True)
    pledge_answer(pledge=second, actor=admin, received=False)
    project.refresh_from_db()
    figures = project_figures(project)
    assert figures["raised"] == figures["received_check"] == Decimal("600")
    assert figures["pledged"] == Decimal("600")
    offer = Offer.objects.get(project=project)
    assert offer.quantity == Decimal("600") and offer.need_types == ["education"]
    page = Client().get(reverse("matching:project", args=[project.pk])).content.decode()
    assert 'data-figure="raised">600.00' in page
    assert "匿名" in page or "Anonymous" in page
    assert "李四" not in page  # a lapsed pledge is not shown, and names are masked anyway
    with pytest.raises(MatchingRefused):
        pledge_answer(pledge=first, actor=admin, received=True)  # answered once only


def test_public_pledges_through_the_page_and_staff_do_not_take_part():
    project, _admin = project_with_admin()
    client = Client()
    url = reverse("matching:project", args=[project.pk])
    assert (
        reverse("matching:project", args=[project.pk])
        in client.get(reverse("matching:projects")).content.decode()
    )
    assert client.post(reverse("matching:pledge", args=[project.pk]), {"amount": "50"}).status_code == 302
    assert project.pledges.count() == 0  # anonymous visitors sign in first
    donor = UserFactory()
    client.force_login(donor)
    response = client.post(
        reverse("matching:pledge", args=[project.pk]), {"amount": "2000", "anonymous": "on"}
    )
    assert response.status_code == 400 and project.pledges.count() == 0
    response = client.post(reverse("matching:pledge", args=[project.pk]), {"amount": "50", "anonymous": "on"})
    assert response.status_code == 302 and response.url == url
    assert project.pledges.get().amount == Decimal("50")
    staff = Client()
    staff.force_login(UserFactory(roles=[Role.CASEWORKER], region=Region.objects.get(code="420111")))
    assert staff.post(reverse("matching:pledge", args=[project.pk]), {"amount": "50"}).status_code == 400


def test_offer_posted_from_my_offers_page_and_job_places_only_for_employment():
    admin = UserFactory(roles=[Role.CHARITY_ADMIN])
    organization = OrganizationFactory(verified=True, admin=admin)
    client = Client()
    client.force_login(admin)
    assert reverse("matching:offer-new") in client.get(reverse("matching:mine")).content.decode()
    today = timezone.localdate()
    data = {
        "organization": organization.pk, "kind": "jobs", "title": "保洁岗位", "quantity": "3",
        "need_types": ["employment", "medical"], "regions": ["420100"],
        "available_from": today.isoformat(), "available_until": (today + timedelta(days=60)).isoformat(),
    }  # fmt: skip
    response = client.post(reverse("matching:offer-new"), data)
    assert response.status_code == 400
    assert "就业" in response.content.decode() or "employment" in response.content.decode()
    data["need_types"] = ["employment"]
    response = client.post(reverse("matching:offer-new"), data)
    offer = Offer.objects.get()
    assert response.url == reverse("matching:offer", args=[offer.pk])
    assert offer.region_prefixes == ["4201"] and offer.kind == "jobs"
    assert client.get(response.url).status_code == 200
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.get(reverse("matching:offer", args=[offer.pk])).status_code == 404
    assert outsider.get(reverse("matching:offer-new")).status_code == 403
