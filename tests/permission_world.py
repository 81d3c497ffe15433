"""The world the permission matrix (``tests/test_permission_matrix.py``) probes, built once.

Two regions: the needs, the organizations and the in-region caseworker are in Wuhan's Jiang'an
district (江岸区, 420102); the outside caseworker works in Yichang (宜昌, 420500); the supervisor
covers Wuhan (420100). Organization A holds a claim, with a reported delivery and its evidence,
on a published need; organization B asks for that claim (a pending transfer) and holds a claim
on a second need that a third organization asked for, in vain (an escalated transfer).

The department dimension (issue 9): the world's needs are civil affairs' (民政), but for
``schooling``, the same household's need of the education department (教育). Three department
handlers probe the back office (``DEPARTMENT_ROLES``): one of civil affairs and one of
education, both over Wuhan, and one of civil affairs in Yichang.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import ApiToken, Notification, User
from accounts.roles import Role
from accounts.tokens import api_token_create
from cms.models import NoticeIndexPage, PublicityListPage
from cms.publicity.masking import mask_table
from cms.publicity.services import publicity_list_create
from cms.publicity.spreadsheet import read_table
from core.evidence import check_evidence
from marketplace.claims.models import Claim, SituationReport, TransferRequest, TransferStatus
from marketplace.claims.services.transfers import transfer_request
from marketplace.delivery.models import Delivery, DuplicateAidAlert, Evidence
from marketplace.delivery.services.reports import delivery_report
from marketplace.matching.models import (
    AllocationLine,
    AllocationProposal,
    CharityProject,
    LineStatus,
    Offer,
    Pledge,
)
from marketplace.needs.models import Need, NeedStatus, PolicyOverride, SourceSystem
from marketplace.organizations.models import Membership, MembershipRole, MembershipStatus, Organization
from marketplace.organizations.services.registration import certificate_store
from regions.models import Region
from reports.content import report_data, snapshot_sha256
from reports.models import Report, ReportStatus, RequestedVia
from reports.periods import parse_period, parse_scope
from supervision.models import BlockedContact, Holiday, Ticket, TicketAttachment, TicketKind
from supervision.open311.keys import open311_key_create
from supervision.open311.models import Open311Key
from supervision.services import ticket_act, ticket_submit
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import NeedFactory, SourceSystemFactory
from tests.factories.organizations import (
    MembershipFactory,
    OrganizationFactory,
    VolunteerFactory,
    certificate_pdf,
)

NEED_COUNTY = "420102"  # 江岸区, Wuhan
OUTSIDE_CITY = "420500"  # 宜昌市
SUPERVISOR_CITY = "420100"  # 武汉市

# The callers, in the matrix's column order. ``source_system`` is no user: it is a monitoring
# platform calling with its ``Api-Key``.
ROLES = (
    "anonymous",
    "volunteer",
    "member_a",
    "member_b",
    "caseworker_in",
    "caseworker_out",
    "supervisor",
    "administrator",
    "source_system",
)
# The department handlers, probed on the back office only (the matrix's second table).
DEPARTMENT_ROLES = ("handler_civil", "handler_education", "handler_outside")


@dataclass
class World:
    users: dict[str, User]
    source: SourceSystem
    source_key: str
    need: Need  # published, 600 of 1000 claimed by A
    need_b: Need  # published, claimed in full by B; C's transfer request escalated
    schooling: Need  # published, the education department's need of the household of ``need``
    held: Need  # held for a caseworker's review
    expired: Need
    org_a: Organization
    org_b: Organization
    claim_a: Claim
    claim_b: Claim
    delivery: Delivery
    evidence: Evidence
    transfer: TransferRequest  # pending: B asks A
    escalated: TransferRequest  # C asked B, the holder did not answer
    situation: SituationReport  # B saw the household of ``need_b`` fall ill
    alert: DuplicateAidAlert
    membership: Membership  # the volunteer asks to join A
    notification: Notification  # member_a's
    token: ApiToken  # member_a's
    policy_override: PolicyOverride
    ticket: Ticket  # a complaint about ``need``, assigned to civil affairs of the need's county
    attachment: TicketAttachment
    holiday: Holiday
    blocked: BlockedContact
    open311_key: Open311Key  # an Open311 client's key (issued, active)
    report: Report  # a finished performance report of Wuhan (the supervisor's city)
    report_outside: Report  # one of Yichang
    publicity_list: PublicityListPage  # live, in its period, under /notices/
    offer: Offer  # A's funds offer for medical needs in Wuhan
    invitation: AllocationLine  # A is invited to claim ``match_need`` from ``offer``
    project: CharityProject  # A's project; the volunteer pledged to it
    pledge: Pledge


def _staff(username: str, role: str, region: str | None, department: str = "") -> User:
    return UserFactory(
        username=username,
        roles=[role],
        region=Region.objects.get(code=region) if region else None,
        department=department,
    )


def build_world() -> World:
    source = SourceSystemFactory(name="武汉市民政救助系统", region_code=SUPERVISOR_CITY)
    source_key = source.api_key

    volunteer = VolunteerFactory(user=UserFactory(username="matrix_volunteer", roles=[Role.VOLUNTEER]))
    org_a = OrganizationFactory(
        verified=True, need_types=[], name="江岸区甲慈善会", region=Region.objects.get(code=NEED_COUNTY)
    )
    org_b = OrganizationFactory(
        verified=True, need_types=[], name="江岸区乙志愿服务队", region=Region.objects.get(code=NEED_COUNTY)
    )
    certificate = certificate_pdf()
    org_a.certificate.name = certificate_store(certificate, kind="pdf")
    org_a.save(update_fields=["certificate"])
    charity_admin = Group.objects.get(name=Role.CHARITY_ADMIN)
    member_a = MembershipFactory(
        organization=org_a,
        user__username="matrix_member_a",
        role=MembershipRole.ADMIN,
    ).user
    member_b = MembershipFactory(
        organization=org_b,
        user__username="matrix_member_b",
        role=MembershipRole.ADMIN,
    ).user
    for member in (member_a, member_b):
        member.groups.add(charity_admin)

    users = {
        "volunteer": volunteer.user,
        "member_a": member_a,
        "member_b": member_b,
        "caseworker_in": _staff("matrix_caseworker_in", Role.CASEWORKER, NEED_COUNTY),
        "caseworker_out": _staff("matrix_caseworker_out", Role.CASEWORKER, OUTSIDE_CITY),
        "supervisor": _staff("matrix_supervisor", Role.SUPERVISOR, SUPERVISOR_CITY),
        "administrator": _staff("matrix_administrator", Role.ADMINISTRATOR, None),
        "handler_civil": _staff(
            "matrix_handler_civil", Role.DEPARTMENT_HANDLER, SUPERVISOR_CITY, department="civil_affairs"
        ),
        "handler_education": _staff(
            "matrix_handler_education", Role.DEPARTMENT_HANDLER, SUPERVISOR_CITY, department="education"
        ),
        "handler_outside": _staff(
            "matrix_handler_outside", Role.DEPARTMENT_HANDLER, OUTSIDE_CITY, department="civil_affairs"
        ),
    }

    need = NeedFactory(source_system=source, region=NEED_COUNTY, target_amount="1000.00")
    claim_a = ClaimFactory(need=need, organization=org_a, claimant=member_a, amount="600.00")
    delivery = delivery_report(
        claim=claim_a,
        actor=member_a,
        amount=Decimal("200.00"),
        delivered_on=timezone.localdate(),
        description="已送达药品，附签收单。",
        files=[upload("签收单.png", png_bytes(), "image/png")],
    )
    transfer = transfer_request(claim=claim_a, organization=org_b, actor=member_b, reason="我们就在该社区")

    need_b = NeedFactory(
        source_system=source, region=NEED_COUNTY, target_amount="500.00", need_type="education"
    )
    claim_b = ClaimFactory(need=need_b, organization=org_b, claimant=member_b, amount="500.00")
    # A third organization asked for B's claim and B let the answer period run out. (Not A: A
    # stays free to ask for this claim, so the matrix can show a transfer request that passes.)
    org_c = OrganizationFactory(
        verified=True, need_types=[], name="江岸区丙爱心社", region=Region.objects.get(code=NEED_COUNTY)
    )
    member_c = MembershipFactory(
        organization=org_c,
        user__username="matrix_member_c",
        role=MembershipRole.ADMIN,
    ).user
    escalated = transfer_request(claim=claim_b, organization=org_c, actor=member_c, reason="我们可以每周上门")
    TransferRequest.objects.filter(pk=escalated.pk).update(status=TransferStatus.ESCALATED)
    situation = SituationReport.objects.create(
        claim=claim_b, change="illness", details="户主住院，收入中断", reported_by=member_b
    )

    schooling = NeedFactory(
        source_system=source,
        region=NEED_COUNTY,
        household_token=need.household_token,
        need_type="education",
        department="education",
        target_amount="300.00",
    )
    held = NeedFactory(source_system=source, region=NEED_COUNTY, status=NeedStatus.PENDING_REVIEW)
    expired = NeedFactory(
        source_system=source, region=NEED_COUNTY, status=NeedStatus.EXPIRED, needed_by=date(2020, 1, 1)
    )
    alert = DuplicateAidAlert.objects.create(
        household_token=need.household_token,
        need=need,
        claim=claim_a,
        need_type=need.need_type,
        window_days=90,
        detail="同一户 90 天内已获同类帮扶",
    )
    membership = Membership.objects.create(
        organization=org_a,
        user=volunteer.user,
        role=MembershipRole.MEMBER,
        status=MembershipStatus.REQUESTED,
    )
    notification = Notification.objects.create(
        user=member_a, subject="认领已登记", url=f"/needs/{need.code}/"
    )
    token, _key = api_token_create(user=member_a, name="matrix")
    policy_override = PolicyOverride.objects.create(
        region_id=SUPERVISOR_CITY, label="武汉市医疗救助提标文件", effective_from=date(2024, 1, 1)
    )
    admin = users["administrator"]
    ticket = ticket_submit(
        kind=TicketKind.objects.get(code="complaint"),
        region=Region.objects.get(code=NEED_COUNTY),
        content="认领后迟迟没有送达。",
        need_code=need.code,
        contact_phone="13700001111",
        attachments=[check_evidence(png_bytes(), max_bytes=1_000_000)],
    ).ticket
    ticket_act(ticket=ticket, action="accept", actor=admin)
    ticket_act(
        ticket=ticket,
        action="assign",
        actor=admin,
        department="civil_affairs",
        unit_region=Region.objects.get(code=NEED_COUNTY),
    )
    holiday = Holiday.objects.create(date=date(2027, 1, 1), name="元旦")
    blocked = BlockedContact.objects.create(digest="0" * 64, masked="139****0000", reason="骚扰电话")
    open311_key, _open311_secret = open311_key_create(name="武汉市12345热线")
    today = timezone.localdate()
    publicity_list = publicity_list_create(
        masked=mask_table(read_table("姓名,家庭住址,保障人数\n张三,江岸区后湖街道百步亭社区,2\n".encode())),
        title="江岸区低保对象公示",
        programme="dibao",
        region_code=NEED_COUNTY,
        period_start=today,
        period_end=today + timedelta(days=6),
        objection_phone="027-87654321",
        objection_address="江岸区民政局",
        parent=NoticeIndexPage.objects.get(),
    )
    offer = Offer.objects.create(
        organization=org_a, kind="funds", title="江岸区医疗帮扶资金", quantity=Decimal("3000"),
        need_types=["medical"], region_prefixes=["4201"], available_from=date(2024, 1, 1),
        available_until=timezone.localdate() + timedelta(days=365), created_by=member_a,
    )  # fmt: skip
    match_need = NeedFactory(source_system=source, region=NEED_COUNTY, target_amount="400.00")
    proposal = AllocationProposal.objects.create(
        region_id=NEED_COUNTY, created_by=users["caseworker_in"], objective=1, greedy_objective=1
    )
    invitation = AllocationLine.objects.create(
        proposal=proposal, offer=offer, need=match_need, amount=Decimal("400"), offer_units=Decimal("400"),
        status=LineStatus.INVITED, invited_by=users["caseworker_in"],
    )  # fmt: skip
    project = CharityProject.objects.create(
        organization=org_a, title="江岸区助医基金", need_type="medical", region_id=SUPERVISOR_CITY,
        target=Decimal("10000"), starts_on=date(2024, 1, 1),
        ends_on=timezone.localdate() + timedelta(days=365),
        pledged=Decimal("100"), created_by=member_a,
    )  # fmt: skip
    pledge = Pledge.objects.create(project=project, user=volunteer.user, amount=Decimal("100"))
    return World(
        offer=offer,
        invitation=invitation,
        project=project,
        pledge=pledge,
        users=users,
        source=source,
        source_key=source_key,
        need=need,
        need_b=need_b,
        schooling=schooling,
        held=held,
        expired=expired,
        org_a=org_a,
        org_b=org_b,
        claim_a=claim_a,
        claim_b=claim_b,
        delivery=delivery,
        evidence=delivery.evidence.get(),
        transfer=transfer,
        escalated=escalated,
        situation=situation,
        alert=alert,
        membership=membership,
        notification=notification,
        token=token,
        policy_override=policy_override,
        ticket=ticket,
        attachment=ticket.attachments.get(),
        holiday=holiday,
        blocked=blocked,
        open311_key=open311_key,
        report=_report("420100"),
        report_outside=_report(OUTSIDE_CITY),
        publicity_list=publicity_list,
    )


def _report(scope_code: str) -> Report:
    """A finished report of ``scope_code`` for 2026-Q3, its data computed as a build would, its
    PDF a stand-in (the permission cells only download it)."""
    scope, period = parse_scope(scope_code), parse_period("2026-Q3")
    data = report_data(scope, period)
    report = Report.objects.create(
        scope_code=scope.code,
        scope_name=scope.name,
        period_code=period.code,
        period_label=period.label,
        params_key=f"{scope.code}|{period.code}",
        snapshot_sha256=snapshot_sha256(data),
        data=data,
        status=ReportStatus.DONE,
        progress=100,
        requested_via=RequestedVia.COMMAND,
        finished_at=timezone.now(),
    )
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return report
