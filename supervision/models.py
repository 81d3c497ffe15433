"""Tickets (工单): complaints, help requests and referrals tracked to closure.

The closed loop of the government service hotlines is the model: 受理 (accept) → 派单 (assign
to a department's unit of a region) → 办理 (handle) → 答复 (reply) → 回访/评价 (rating) → 办结
(close). ``TICKET_ACTIONS`` below is the one table of the moves: each action says from which
statuses it may be taken, the status it leads to and which roles may take it;
``services.ticket_act`` performs every move and records it as a ``TicketTransition``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from privacy.fields import EncryptedTextField


class TicketKind(models.Model):
    """A kind of ticket (咨询, 求助, 转介, 意见建议, 投诉, 举报, 异议) with its time limits.

    The limits are configurable defaults (a data migration writes them), not policy: the back
    office edits them. Working days count China's statutory holidays and make-up days
    (``supervision.calendar``); urgent help requests and referrals run on
    ``URGENT_HOURS`` calendar hours instead.
    """

    # The code is the key: ``Ticket.kind_id`` is the code (``selectors.ticket_facts`` reads it).
    code = models.SlugField(_("code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=40)
    description = models.CharField(_("description"), max_length=200, blank=True)
    acceptance_days = models.PositiveSmallIntegerField(_("acceptance limit (working days)"), default=1)
    handling_days = models.PositiveSmallIntegerField(_("handling limit (working days)"), default=15)
    default_department = models.CharField(
        _("default handling department"),
        max_length=32,
        choices=Department.choices,
        default=Department.CIVIL_AFFAIRS,
    )
    public_in_statistics = models.BooleanField(_("public in statistics"), default=True)
    may_be_urgent = models.BooleanField(
        _("may be urgent (急难)"),
        default=False,
        help_text=_("Urgent tickets of this kind go at once to the county caseworkers, due in 24 hours."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("offered on the forms"), default=True)

    class Meta:
        verbose_name = _("ticket kind")
        verbose_name_plural = _("ticket kinds")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(handling_days__gte=1), name="ticket_kind_handling_positive"),
        ]

    def __str__(self) -> str:
        return self.name


# The codes of the kinds the data migration creates; other code reads them by these names.
ENQUIRY, HELP, REFERRAL, SUGGESTION, COMPLAINT, REPORT, OBJECTION = (
    "enquiry",
    "help",
    "referral",
    "suggestion",
    "complaint",
    "report",
    "objection",
)


class ReportSubtype(models.TextChoices):
    """What a report (举报) is about."""

    FRAUD = "fraud", _("Obtaining assistance by fraud (骗取救助)")
    LEFT_OUT = "left_out", _("Someone eligible left out (应保未保)")
    WRONGLY_INCLUDED = "wrongly_included", _("Someone wrongly included (错保)")
    MISUSE_OF_FUNDS = "misuse_of_funds", _("Misuse of assistance funds")
    CHARITY_MISCONDUCT = "charity_misconduct", _("Charity misconduct")
    DUPLICATE_OR_MISSED_AID = "duplicate_or_missed_aid", _("Duplicate or missed aid")
    PRIVACY_LEAK = "privacy_leak", _("Privacy leak")
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct")


# Reports that go to the unit of the department that certifies recipients in the region.
CERTIFICATION_SUBTYPES = frozenset(
    {ReportSubtype.FRAUD, ReportSubtype.LEFT_OUT, ReportSubtype.WRONGLY_INCLUDED}
)


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    PHONE = "phone", _("Hotline call")
    LETTER = "letter", _("Letter")
    WALK_IN = "walk_in", _("Walk-in visit")
    OPEN311 = "open311", _("Open311 client")


HOTLINE_CHANNELS = (Channel.PHONE, Channel.LETTER, Channel.WALK_IN)


class TicketStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ASSIGNED = "assigned", _("Assigned to a unit")
    IN_PROGRESS = "in_progress", _("Being handled")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    ESCALATED = "escalated", _("Escalated to a supervisor")


# Tickets no one works on any more.
FINAL_STATUSES = (TicketStatus.NOT_ACCEPTED, TicketStatus.CLOSED)
# Tickets waiting for the handling unit: the handling deadline runs.
HANDLING_STATUSES = (
    TicketStatus.ACCEPTED,
    TicketStatus.ASSIGNED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.REOPENED,
    TicketStatus.ESCALATED,
)
OPEN_STATUSES = (TicketStatus.SUBMITTED, *HANDLING_STATUSES, TicketStatus.REPLIED)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


# Who takes an action: the portal's roles (accounts.roles.Role values), plus the complainant
# (holding the ticket number and query code) and the system (Celery beat).
COMPLAINANT = "complainant"
SYSTEM = "system"
INTAKE = ("hotline_operator", "caseworker", "supervisor")
HANDLERS = ("department_handler", "caseworker")


@dataclass(frozen=True)
class TicketAction:
    """One row of the table: from which statuses, to which status, by whom."""

    sources: frozenset[str]
    # Where it may lead; empty: the status stays (an extension). Several: the service decides.
    targets: frozenset[str]
    roles: frozenset[str]
    label: object


def _action(sources, target, roles, label) -> TicketAction:
    targets = target if isinstance(target, tuple) else (target,) if target else ()
    return TicketAction(frozenset(sources), frozenset(targets), frozenset(roles), label)


S = TicketStatus
# The ticket's moves, one table. ``rate`` leads to closed (satisfied), reopened (the first
# unsatisfied rating) or escalated (the second); ``services.ticket_act`` decides which.
# ``merge`` closes a duplicate into another ticket (并单). The extension actions keep the
# status: they are recorded like any move.
TICKET_ACTIONS: dict[str, TicketAction] = {
    "accept": _action([S.SUBMITTED], S.ACCEPTED, INTAKE, _("Accept")),
    "not_accept": _action([S.SUBMITTED], S.NOT_ACCEPTED, INTAKE, _("Do not accept")),
    "assign": _action([S.ACCEPTED], S.ASSIGNED, INTAKE, _("Assign to a unit")),
    "return": _action([S.ASSIGNED], S.ACCEPTED, HANDLERS, _("Return as misassigned")),
    "start": _action([S.ASSIGNED, S.REOPENED], S.IN_PROGRESS, HANDLERS, _("Start handling")),
    "reply": _action([S.IN_PROGRESS], S.REPLIED, HANDLERS, _("Reply")),
    "supervisor_reply": _action([S.ESCALATED], S.REPLIED, ["supervisor"], _("Reply as supervisor")),
    "rate": _action([S.REPLIED], (S.CLOSED, S.REOPENED, S.ESCALATED), [COMPLAINANT], _("Rate the reply")),
    "close_unrated": _action([S.REPLIED], S.CLOSED, [SYSTEM], _("Close without a rating")),
    "request_extension": _action(
        [S.ASSIGNED, S.IN_PROGRESS, S.REOPENED], None, HANDLERS, _("Ask for an extension")
    ),
    "approve_extension": _action(
        [S.ASSIGNED, S.IN_PROGRESS, S.REOPENED], None, ["supervisor"], _("Approve the extension")
    ),
    "merge": _action(
        [S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS], S.CLOSED, INTAKE, _("Merge into another ticket")
    ),
}
del S

# Every status a move may lead to from each status (the table read the other way).
TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(
        target
        for action in TICKET_ACTIONS.values()
        if status in action.sources
        for target in (action.targets or {status})
    )
    for status in TicketStatus.values
}


def ticket_attachment_path(instance: TicketAttachment, filename: str) -> str:
    return f"private/tickets/{uuid.uuid4().hex}.{instance.extension}"


class Ticket(models.Model):
    """工单: one complaint, enquiry, help request, referral, suggestion, report or objection.

    ``id`` (``number``) is public and random (it says nothing of any other ticket); the complainant also
    holds a 6-character query code, stored only as ``code_digest`` (HMAC). Contact details are
    encrypted at rest; ``phone_digest``/``email_digest`` (HMAC) only let the blocklist match.
    """

    # The public ticket number is the key, so the facts' "id" is the number.
    id = models.CharField(_("ticket number"), max_length=20, primary_key=True, editable=False)
    code_digest = models.CharField(max_length=64, editable=False)
    kind = models.ForeignKey(TicketKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    subtype = models.CharField(
        _("what the report is about"), max_length=30, choices=ReportSubtype.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.SUBMITTED
    )
    urgent = models.BooleanField(_("urgent (急难)"), default=False)
    title = models.CharField(_("title"), max_length=100, blank=True)
    content = models.TextField(_("content"))
    # A referral's person: their situation and, if the referrer gives them, how to find them.
    # Seen only by the county caseworkers.
    referred_person = EncryptedTextField(_("the person referred"), blank=True)
    contact_name = EncryptedTextField(_("name"), blank=True)
    contact_phone = EncryptedTextField(_("phone"), blank=True)
    contact_email = EncryptedTextField(_("e-mail"), blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    email_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    anonymous = models.BooleanField(_("anonymous to the public"), default=True)
    confidential = models.BooleanField(_("confidential to the handling unit"), default=False)
    # What the ticket cites (read through the marketplace's and notices' selectors). NULL, not
    # "", when none: ``selectors.ticket_facts`` hands these columns out as they are (None).
    need_code = models.CharField(_("need"), max_length=12, null=True, blank=True, db_index=True)  # noqa: DJ001
    organization_id = models.IntegerField(_("organization"), null=True, blank=True, db_index=True)
    publicity_list_id = models.IntegerField(_("publicity list"), null=True, blank=True)
    publicity_list_title = models.CharField(_("publicity list"), max_length=255, blank=True)
    # Held: from a blocklisted phone or e-mail. Stored, never dispatched, never counted.
    held = models.BooleanField(_("held"), default=False, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    # The handling unit: a department's office of a region.
    department = models.CharField(
        _("handling department"), max_length=32, choices=Department.choices, blank=True
    )
    unit_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("handling unit's region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    call_time = models.DateTimeField(_("call time"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("acceptance due"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"))
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    return_due_at = models.DateTimeField(_("may be returned until"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_requested_days = models.PositiveSmallIntegerField(default=0, editable=False)
    not_accepted_reason = models.TextField(_("reason not accepted"), blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    # NULL until rated (``ticket_facts`` gives it out as None), like need_code.
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, null=True, blank=True)  # noqa: DJ001
    rating_note = models.TextField(_("comment on the reply"), blank=True)
    reopened = models.BooleanField(_("was reopened"), default=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Warnings (预警) already sent, so beat sends each once.
    soon_due_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("typed in by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="not_accepted") | ~Q(not_accepted_reason=""),
                name="ticket_not_accepted_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="replied") | ~Q(reply=""), name="ticket_replied_has_reply"
            ),
            models.CheckConstraint(condition=Q(extension_days__lte=10), name="ticket_extension_at_most_10"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="ticket_status_due"),
            models.Index(fields=["unit_region", "department", "status"], name="ticket_unit_queue"),
        ]

    def __str__(self) -> str:
        return self.id

    @property
    def number(self) -> str:
        return self.id

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES


class TicketTransition(models.Model):
    """One move of a ticket (``from_status`` blank: it was filed), who made it and why.

    ``public`` moves show on the complainant's tracking page with ``public_note`` (never a
    contact detail, never a confidential ticket's free text); ``note`` is for the back office.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TicketStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    public_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_status or '—'} → {self.to_status} ({self.action})"


class TicketAttachment(models.Model):
    """A photo or PDF attached to a ticket: private, checked by content, EXIF dropped."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=ticket_attachment_path)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"attachment {self.pk} of {self.ticket_id}"


class Holiday(models.Model):
    """A day off or a make-up working day for a year the chinese-calendar package does not cover
    yet (back-office table; within covered years the package wins)."""

    date = models.DateField(_("date"), unique=True)
    working_day = models.BooleanField(
        _("make-up working day"),
        default=False,
        help_text=_("Ticked: a weekend day that is worked (调休上班)."),
    )
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class BlockedContact(models.Model):
    """A phone or e-mail whose submissions are stored but held (never dispatched). Only an HMAC
    digest of the normalized value is kept, so the list itself leaks no contact detail."""

    digest = models.CharField(max_length=64, unique=True, editable=False)
    masked = models.CharField(_("contact"), max_length=60, editable=False)
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("blocked contact")
        verbose_name_plural = _("blocked contacts")

    def __str__(self) -> str:
        return self.masked
