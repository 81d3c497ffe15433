"""An organization's public page lists its open offers and charity projects (through the
organizations' page hook); concurrent pledges to one project never pass its target."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from marketplace.matching.errors import MatchingRefused
from marketplace.matching.models import CharityProject, OfferStatus, Pledge
from marketplace.matching.services.projects import pledge_make
from marketplace.organizations.hooks import organization_page_sections
from tests.factories.accounts import UserFactory
from tests.factories.matching import OfferFactory
from tests.factories.organizations import OrganizationFactory


def open_project(organization, admin, *, target="1000", title="助学基金") -> CharityProject:
    today = timezone.localdate()
    return CharityProject.objects.create(
        organization=organization, title=title, need_type="education", region_id="420100",
        target=Decimal(target), starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30),
        created_by=admin,
    )  # fmt: skip


def test_matching_connects_its_section_to_the_organization_page():
    from marketplace.matching.views import organization_section

    assert organization_section in list(organization_page_sections)


@pytest.mark.django_db
def test_the_public_page_of_an_organization_lists_its_open_offers_and_projects():
    admin = UserFactory(roles=[Role.CHARITY_ADMIN])
    organization = OrganizationFactory(verified=True, admin=admin)
    OfferFactory(organization=organization, title="冬季助医资金", quantity=Decimal("8000"))
    OfferFactory(organization=organization, title="已关闭的资源", status=OfferStatus.CLOSED)
    OfferFactory(title="别家机构的资源")
    project = open_project(organization, admin, title="困难学生助学")
    ended = open_project(organization, admin, title="已结束的项目")
    today = timezone.localdate()
    CharityProject.objects.filter(pk=ended.pk).update(
        starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=2)
    )

    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("organizations:detail", args=[organization.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "正在提供的资源" in text and "冬季助医资金" in text
    assert "已关闭的资源" not in text and "别家机构的资源" not in text
    assert "正在接受认捐的慈善项目" in text and "困难学生助学" in text
    assert reverse("matching:project", args=[project.pk]) in text
    assert "已结束的项目" not in text


@pytest.mark.django_db
def test_an_organization_without_offers_says_so():
    organization = OrganizationFactory(verified=True)
    text = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("organizations:detail", args=[organization.pk]))
    assert "目前没有正在提供的资源。" in text.content.decode()
    assert "目前没有接受认捐的慈善项目。" in text.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_pledges_never_take_a_project_over_its_target():
    """Ten people pledge 300 each at once to a project of 1,000: the project's row lock lets three
    through, the others are told only what remains; the database refuses raised over pledged."""
    admin = UserFactory(roles=[Role.CHARITY_ADMIN])
    project = open_project(OrganizationFactory(verified=True, admin=admin), admin, target="1000")
    donors = [UserFactory() for _ in range(10)]
    barrier = threading.Barrier(len(donors))
    outcomes: list[str] = [""] * len(donors)

    def pledge(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            pledge_make(project=project, user=donors[index], amount="300", anonymous=True)
            outcomes[index] = "pledged"
        except MatchingRefused as exc:
            outcomes[index] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=pledge, args=(index,)) for index in range(len(donors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    project.refresh_from_db()
    recorded = sum(p.amount for p in Pledge.objects.filter(project=project))
    assert outcomes.count("pledged") == 3 and outcomes.count("over_target") == 7
    assert project.pledged == recorded == Decimal("900") <= project.target
    # What the page shows as pledged is the sum of the pledges people see recorded.
    text = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("matching:project", args=[project.pk]))
    assert "900" in text.content.decode()
    # The check constraint holds even for a write that skips the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        CharityProject.objects.filter(pk=project.pk).update(raised=Decimal("901"))
