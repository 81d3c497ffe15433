"""The access log of sensitive reads: who read which evidence, certificate or assistance chain,
when and from where; and its back-office page, for administrators only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from marketplace.delivery.services.reports import delivery_report
from marketplace.organizations.models import MembershipRole
from marketplace.organizations.services.registration import certificate_store
from privacy.models import SensitiveKind, SensitiveRead
from regions.models import Region
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import NeedFactory, household_token
from tests.factories.organizations import MembershipFactory, OrganizationFactory, certificate_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker():
    return UserFactory(caseworker=True, username="cw-hongshan")  # Hongshan district, 420111


@pytest.fixture
def photo():
    claim = ClaimFactory(need=NeedFactory(household_token=household_token()), amount="100.00")
    delivery = delivery_report(
        claim=claim,
        actor=claim.claimant,
        amount="100.00",
        delivered_on=timezone.localdate(),
        description="已送达",
        files=[upload("a.png", png_bytes(), "image/png")],
    )
    return delivery.evidence.get()


def test_reading_evidence_is_logged_with_who_what_and_from_where(client, caseworker, photo):
    client.force_login(caseworker)
    response = client.get(f"/evidence/{photo.pk}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    entry = SensitiveRead.objects.get()
    assert entry.user == caseworker
    assert entry.username == "cw-hongshan"
    assert entry.kind == SensitiveKind.EVIDENCE
    assert entry.reference == f"evidence {photo.pk}"
    assert entry.ip_address == "10.1.2.3"
    assert entry.path == f"/evidence/{photo.pk}/"


def test_a_refused_read_is_not_logged_as_a_read(client, photo):
    client.force_login(UserFactory(caseworker=True, region=Region.objects.get(code="420502")))
    assert client.get(f"/evidence/{photo.pk}/").status_code == 404
    assert not SensitiveRead.objects.exists()


def test_reading_a_certificate_is_logged(client, caseworker):
    organization = OrganizationFactory()
    organization.certificate = certificate_store(certificate_pdf(), kind="pdf")
    organization.save()
    client.force_login(caseworker)
    assert client.get(f"/admin/organizations/{organization.pk}/certificate/").status_code == 200
    entry = SensitiveRead.objects.get()
    assert (entry.kind, entry.reference) == (SensitiveKind.CERTIFICATE, f"organization {organization.pk}")


def test_reading_an_assistance_chain_is_logged_by_need_and_by_token(client, caseworker):
    token = household_token()
    need = NeedFactory(household_token=token)
    client.force_login(caseworker)
    assert client.get(f"/admin/assistance-chain/need/{need.code}/").status_code == 200
    assert client.get("/admin/assistance-chain/", {"q": token}).status_code == 200
    unknown = household_token()  # a household with nothing on the portal
    assert client.get("/admin/assistance-chain/", {"q": unknown}).status_code == 200
    assert list(SensitiveRead.objects.order_by("id").values_list("kind", "reference")) == [
        (SensitiveKind.ASSISTANCE_CHAIN, f"need {need.code}"),
        (SensitiveKind.ASSISTANCE_CHAIN, f"household {token}"),
    ]


def test_the_log_outlives_the_account(client, caseworker, photo):
    client.force_login(caseworker)
    client.get(f"/evidence/{photo.pk}/")
    caseworker.delete()
    entry = SensitiveRead.objects.get()
    assert entry.user is None
    assert entry.username == "cw-hongshan"


def test_administrators_read_the_log_and_filter_it(client, caseworker, photo):
    client.force_login(caseworker)
    client.get(f"/evidence/{photo.pk}/")
    client.force_login(UserFactory(administrator=True))
    page = client.get("/admin/sensitive-reads/")
    assert page.status_code == 200
    assert "cw-hongshan" in page.text
    assert f"evidence {photo.pk}" in page.text
    assert "cw-hongshan" not in client.get("/admin/sensitive-reads/", {"kind": "certificate"}).text
    assert "cw-hongshan" not in client.get("/admin/sensitive-reads/", {"user": "someone-else"}).text
    assert "cw-hongshan" in client.get("/admin/sensitive-reads/", {"user": "cw-hongshan"}).text


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "member"])
def test_nobody_else_reads_the_log(client, who, caseworker):
    user = {
        "caseworker": lambda: caseworker,
        "supervisor": lambda: UserFactory(supervisor=True),
        "member": lambda: (
            MembershipFactory(
                organization=OrganizationFactory(verified=True, need_types=[]), role=MembershipRole.ADMIN
            ).user
        ),
    }[who]()
    client.force_login(user)
    assert client.get("/admin/sensitive-reads/").status_code in (302, 403)
    assert client.get("/admin/sensitive-reads/").status_code != 200
