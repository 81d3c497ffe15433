"""Demo tickets for `make run`: every kind in every status across regions, some overdue, one
urgent referral. Filed and moved through the services, as staff would. Idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from regions.models import Region
from supervision.models import ReportSubtype, Ticket, TicketKind, TicketStatus
from supervision.numbers import code_digest
from supervision.services import ticket_act, ticket_rate, ticket_submit

DEMO_TITLE = "演示工单"
# The demo's one ticket to try tracking with (its code is set to this known one).
DEMO_TRACK_CODE = "DEMK26"
REGIONS = ["420111", "420102", "420106", "420502", "420602", "421002", "422801", "429004"]
CONTENT = {
    "enquiry": "请问低保边缘家庭申请医疗救助需要哪些材料？",
    "help": "家中老人突发重病住院，医疗费用难以负担，请求帮助。",
    "referral": "邻居独居老人行动不便，近来常无人照看，可能需要救助。",
    "suggestion": "建议在社区公示栏同步公示救助政策，方便不上网的老人了解。",
    "complaint": "申请临时救助已超过一个月，一直没有答复。",
    "report": "发现有人家庭条件明显好转仍在领取救助金。",
    "objection": "公示名单中有一户家中有经营性车辆，对其资格有异议。",
}
# The moves to reach each status from submitted (the staff actor is the demo administrator).
PATHS = {
    TicketStatus.SUBMITTED: [],
    TicketStatus.ACCEPTED: ["accept"],
    TicketStatus.NOT_ACCEPTED: ["not_accept"],
    TicketStatus.ASSIGNED: ["accept", "assign"],
    TicketStatus.IN_PROGRESS: ["accept", "assign", "start"],
    TicketStatus.REPLIED: ["accept", "assign", "start", "reply"],
    TicketStatus.CLOSED: ["accept", "assign", "start", "reply", "satisfied"],
    TicketStatus.REOPENED: ["accept", "assign", "start", "reply", "unsatisfied"],
    TicketStatus.ESCALATED: [
        "accept",
        "assign",
        "start",
        "reply",
        "unsatisfied",
        "start",
        "reply",
        "unsatisfied",
    ],
}


def seed_demo_tickets() -> Counter:
    """File the demo tickets once; the count by status (empty when they exist already)."""
    if Ticket.objects.filter(title__startswith=DEMO_TITLE).exists():
        return Counter()
    admin = User.objects.filter(username="admin").first()
    kinds = list(TicketKind.objects.order_by("position"))
    regions = {region.code: region for region in Region.objects.filter(code__in=REGIONS)}
    subtypes = list(ReportSubtype.values)
    counts: Counter = Counter()
    now = timezone.now()
    index = 0
    for kind in kinds:
        for moves in PATHS.values():
            index += 1
            region = regions[REGIONS[index % len(REGIONS)]]
            # Spread over the last 60 days: open tickets filed long ago are overdue.
            filed = now - timedelta(days=(index * 7) % 60, hours=index % 9)
            ticket = ticket_submit(
                kind=kind,
                region=region,
                title=f"{DEMO_TITLE} {index}",
                content=CONTENT.get(kind.code, "演示内容"),
                subtype=subtypes[index % len(subtypes)] if kind.code == "report" else "",
                referred_person="约七十岁，独居，腿脚不便" if kind.code == "referral" else "",
                contact_phone=f"1380000{index:04d}",
                channel="web" if index % 3 else "phone",
                confidential=kind.code == "report",
                now=filed,
            ).ticket
            moment = filed
            for move in moves:
                moment += timedelta(hours=5)
                if move in ("satisfied", "unsatisfied"):
                    ticket = ticket_rate(ticket=ticket, rating=move, now=moment)
                    continue
                ticket = ticket_act(
                    ticket=ticket,
                    action=move,
                    actor=admin,
                    note="演示：不属于社会救助受理范围，已告知向相关部门反映。"
                    if move == "not_accept"
                    else "",
                    department=kind.default_department,
                    unit_region=region,
                    reply="经核实，已按政策办理，并电话告知。" if move == "reply" else "",
                    now=moment,
                )
            counts[ticket.status] += 1
    ticket_submit(
        kind=TicketKind.objects.get(code="referral"),
        region=regions["420111"],
        title=f"{DEMO_TITLE} 急难转介",
        content="网格员发现一户家庭因火灾失去住所，一家三口暂住亲戚家，急需临时救助。",
        referred_person="洪山区某社区，三口之家，房屋失火",
        urgent=True,
        channel="phone",
        actor=admin,
    )
    counts["urgent"] += 1
    replied = Ticket.objects.filter(title__startswith=DEMO_TITLE, status=TicketStatus.REPLIED).first()
    if replied is not None:
        replied.code_digest = code_digest(replied.id, DEMO_TRACK_CODE)
        replied.save(update_fields=["code_digest"])
    return counts


def demo_track_ticket() -> str | None:
    """The number of the demo ticket whose query code is ``DEMO_TRACK_CODE``."""
    for ticket in Ticket.objects.filter(title__startswith=DEMO_TITLE).order_by("submitted_at"):
        if ticket.code_digest == code_digest(ticket.id, DEMO_TRACK_CODE):
            return ticket.id
    return None
