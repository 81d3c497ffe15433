"""What the claim panel says, in Chinese and in English (issue 11 item 4): whom you claim for, why a
volunteer may not claim a money need, and why a note with a phone number is refused."""

from __future__ import annotations

import html
import re

import pytest

from marketplace.claims.models import Claim
from marketplace.organizations.models import MembershipRole
from tests.factories.needs import IntakeNeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def source():
    return SourceSystemFactory(region_code="420000")


def _text(response) -> str:
    """The page as a reader sees it: tags and runs of white space removed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_a_volunteer_reads_whom_they_claim_for_without_a_doubled_word(client, source):
    volunteer = VolunteerFactory()
    service = IntakeNeedFactory(source_system=source, need_type="care_service", target="20")
    client.force_login(volunteer.user)

    chinese = _text(client.get(f"/needs/{service.code}/", **ZH))
    assert "您将以志愿者本人（林**）的名义认领。" in chinese
    assert not re.search(r"以\s*以", chinese)

    english = _text(client.get(f"/needs/{service.code}/", **EN))
    assert "You claim for yourself, as a volunteer (林**)." in english


def test_a_registered_volunteer_on_a_money_need_is_told_the_rule_not_to_register_again(client, source):
    volunteer = VolunteerFactory()
    money = IntakeNeedFactory(source_system=source, need_type="education", target="500.00")
    client.force_login(volunteer.user)

    chinese = _text(client.get(f"/needs/{money.code}/", **ZH))
    assert "志愿者只能认领按小时计的服务类需求（访视照料、心理疏导）。本需求由已认证的慈善组织认领" in chinese
    assert "登记为志愿者" not in chinese

    english = _text(client.get(f"/needs/{money.code}/", **EN))
    assert "Volunteers claim only service needs counted in hours" in english
    assert "register as a volunteer" not in english


def test_someone_who_is_not_a_volunteer_is_still_told_how_to_become_one(client, source):
    from tests.factories.accounts import UserFactory

    client.force_login(UserFactory())
    money = IntakeNeedFactory(source_system=source, need_type="education", target="500.00")
    assert "或登记为志愿者认领服务类需求" in _text(client.get(f"/needs/{money.code}/", **ZH))


@pytest.mark.parametrize(
    ("headers", "said", "not_said"),
    [
        (ZH, ["备注中含有", "本组织的也不行", "经办人员已可查看"], "理由中含有"),
        (EN, ["The note contains", "not even your organization's"], "The reason contains"),
    ],
    ids=["zh", "en"],
)
def test_a_note_with_the_charitys_own_phone_number_is_refused_naming_the_note(
    client, source, headers, said, not_said
):
    charity = OrganizationFactory(verified=True, need_types=[])
    member = MembershipFactory(organization=charity, role=MembershipRole.MEMBER).user
    need = IntakeNeedFactory(source_system=source, target="1000.00")
    client.force_login(member)

    response = client.post(
        f"/needs/{need.code}/claim/",
        {"amount": "100.00", "holder": str(charity.pk), "note": "可送米油，联系电话13912345678"},
        **headers,
    )

    assert response.status_code == 400
    page = _text(response)
    for words in said:
        assert words in page
    assert not_said not in page
    assert not Claim.objects.exists()
