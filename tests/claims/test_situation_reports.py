"""Household situation reports (issue 11 item 15, seed 三(三)): the holder of a claim reports a
change in the household's situation from the need or from the claim; it becomes a feedback event
to the monitoring platform and a task for the need's caseworkers, with no identity in it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import Notification
from marketplace.claims.models import SituationChange, SituationReport, SituationReportStatus
from marketplace.needs.models import FeedbackEvent
from marketplace.needs.services.feedback_dispatch import feedback_event_document
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.needs import NeedFactory
from tests.factories.organizations import MembershipFactory

pytestmark = pytest.mark.django_db

DETAILS = "户主三月住院，家中收入中断，孩子九月开学需要学费"


@pytest.fixture
def claim():
    return ClaimFactory(need=NeedFactory(region="420111"))


@pytest.fixture
def holder(claim):
    return claim.claimant


@pytest.fixture
def caseworker():
    return UserFactory(caseworker=True)  # Hongshan district, the need's county


def _report(client, claim, *, change=SituationChange.ILLNESS, details=DETAILS):
    return client.post(reverse("claims:situation", args=[claim.pk]), {"change": change, "details": details})


def test_the_holder_reaches_the_report_from_my_claims_and_from_the_need_page(client, claim, holder):
    client.force_login(holder)
    url = reverse("claims:situation", args=[claim.pk])
    assert url in client.get(reverse("claims:mine")).content.decode()
    assert url in client.get(reverse("needs:detail", args=[claim.need.code])).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert "报告家庭状况变化" in page.content.decode()


def test_a_completed_claims_holder_still_reports_from_both_places(client):
    claim = ClaimFactory(completed=True)
    client.force_login(claim.claimant)
    url = reverse("claims:situation", args=[claim.pk])
    assert url in client.get(reverse("claims:mine")).content.decode()
    assert url in client.get(reverse("needs:detail", args=[claim.need.code])).content.decode()


def test_the_report_reaches_the_caseworkers_and_the_monitoring_platform(client, claim, holder, caseworker):
    client.force_login(holder)
    response = _report(client, claim)
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:mine")
    follow = client.get(response["Location"])
    assert "县" in follow.content.decode() or "经办" in follow.content.decode()

    report = SituationReport.objects.get()
    assert (report.claim, report.change, report.details, report.status) == (
        claim,
        SituationChange.ILLNESS,
        DETAILS,
        SituationReportStatus.OPEN,
    )
    note = Notification.objects.get(user=caseworker)
    assert claim.need.code in note.subject
    assert note.url == reverse("claims_situations:detail", args=[report.pk])

    event = FeedbackEvent.objects.get(kind="situation_change")
    document = feedback_event_document(event)
    assert document["payload"]["household_token"] == claim.need.household_token
    assert document["payload"]["change"] == "illness"
    assert document["payload"]["details"] == DETAILS
    assert document["source_ref"] == claim.need.source_ref


@pytest.mark.parametrize(
    "details",
    [
        "户主张三的电话 138 0013 8000，请联系",
        "身份证号４２０１０２１９９００１０１１２３４，住院",
        "联系一三八零零一三八零零零",
    ],
)
def test_identity_in_the_text_is_refused_and_nothing_is_sent(client, claim, holder, caseworker, details):
    client.force_login(holder)
    response = _report(client, claim, details=details)
    assert response.status_code == 400
    body = response.content.decode()
    assert "请" in body  # says what to fix, in Chinese
    assert not SituationReport.objects.exists()
    assert not FeedbackEvent.objects.filter(kind="situation_change").exists()
    assert not Notification.objects.filter(user=caseworker).exists()
    # Nothing of what was typed reaches the platform in any event either.
    assert all("8000" not in json.dumps(event.payload) for event in FeedbackEvent.objects.all())


def test_an_empty_or_unknown_change_is_refused_in_chinese(client, claim, holder):
    client.force_login(holder)
    response = _report(client, claim, change="lottery", details="")
    assert response.status_code == 400
    body = response.content.decode()
    assert "请更正" in body or "请" in body
    assert not SituationReport.objects.exists()


@pytest.mark.parametrize("status", ["withdrawn", "expired", "transferred"])
def test_ended_claims_that_never_reached_the_household_cannot_report(client, status):
    claim = ClaimFactory(**{status: True})
    client.force_login(claim.claimant)
    assert client.get(reverse("claims:situation", args=[claim.pk])).status_code == 403
    assert _report(client, claim).status_code == 403
    assert not SituationReport.objects.exists()


def test_others_cannot_report_on_someone_elses_claim(client, claim, caseworker):
    outsider = MembershipFactory().user
    for user in (outsider, caseworker):
        client.force_login(user)
        assert _report(client, claim).status_code == 403
    assert not SituationReport.objects.exists()


def test_the_caseworker_finds_the_task_in_the_back_office_and_closes_it(client, claim, holder, caseworker):
    client.force_login(holder)
    _report(client, claim)
    report = SituationReport.objects.get()

    client.force_login(caseworker)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("claims_situations:index") in dashboard  # the menu item
    listing = client.get(reverse("claims_situations:index")).content.decode()
    assert reverse("claims_situations:detail", args=[report.pk]) in listing
    detail = reverse("claims_situations:detail", args=[report.pk])
    assert DETAILS in client.get(detail).content.decode()

    refused = client.post(detail, {"outcome": ""})
    assert refused.status_code == 200
    report.refresh_from_db()
    assert report.status == SituationReportStatus.OPEN

    done = client.post(detail, {"outcome": "已于12月5日入户复核，转介医疗救助"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.handled_by) == (SituationReportStatus.HANDLED, caseworker)
    assert (
        reverse("claims_situations:detail", args=[report.pk])
        not in client.get(reverse("claims_situations:index")).content.decode().split("最近处理")[0]
    )

    # The holder sees what was done.
    client.force_login(holder)
    assert "转介医疗救助" in client.get(reverse("claims:situation", args=[claim.pk])).content.decode()


def test_a_caseworker_of_another_county_neither_sees_nor_handles_it(client, claim, holder):
    client.force_login(holder)
    _report(client, claim)
    report = SituationReport.objects.get()
    other = UserFactory(caseworker=True, region=Region.objects.get(code="420102"))
    client.force_login(other)
    assert (
        reverse("claims_situations:detail", args=[report.pk])
        not in client.get(reverse("claims_situations:index")).content.decode()
    )
    assert client.get(reverse("claims_situations:detail", args=[report.pk])).status_code == 404
    assert (
        client.post(reverse("claims_situations:detail", args=[report.pk]), {"outcome": "已处理"}).status_code
        == 404
    )
    report.refresh_from_db()
    assert report.status == SituationReportStatus.OPEN


def test_members_of_the_public_and_charities_do_not_see_the_back_office_queue(client, holder):
    client.force_login(holder)
    response = client.get(reverse("claims_situations:index"))
    assert response.status_code in (302, 403)
