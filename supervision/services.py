"""Tickets: filing one (any channel), every move of the table, the beat's sweeps.

* ``ticket_submit`` files a ticket from any channel (the public form, the hotline operators'
  form, Open311): ``channel`` is a field. It draws the random number and query code, stores the
  contact details encrypted, checks the blocklist (a held ticket is stored, never dispatched,
  and the sender is told exactly what anyone else is told), computes the due dates on the
  working-day clock, sends an urgent help request or referral at once to the county's
  caseworkers (24 calendar hours), and alerts whoever the cited need or organization concerns.
* ``ticket_act`` performs every move of ``models.TICKET_ACTIONS``: it locks the row, checks the
  table and the actor's role on the ticket (``accounts.permissions.ticket_roles``), changes it,
  writes one ``TicketTransition`` (who, in which role, from, to, note) and tells whom the move
  concerns once the transaction commits. ``ticket_rate`` is the complainant's move,
  ``ticket_close_unrated`` and ``ticket_warn_due`` the beat's.

Raises ``errors.TicketActionRefused`` (the table says no), ``errors.TicketRoleRefused`` (not
this actor's) and ``TicketRefused`` (a rule: the return period is over, a second extension…);
bad input in one field is Django's ``ValidationError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from accounts.models import Department, User, normalize_email
from accounts.notifications import notify
from accounts.permissions import ticket_roles
from accounts.roles import Role
from accounts.selectors import caseworkers_for, staff_for
from core.evidence import CheckedEvidence
from core.phrases import Phrase
from marketplace.claims.selectors import claiming_organization_ids
from marketplace.needs.selectors import need_region_and_department
from marketplace.organizations.selectors import organization_admins, organization_region_code
from regions.models import Region
from supervision.calendar import add_working_days
from supervision.errors import TicketActionRefused, TicketRefused, TicketRoleRefused
from supervision.models import (
    CERTIFICATION_SUBTYPES,
    COMPLAINANT,
    STAFF_STATUSES,
    SYSTEM,
    TICKET_ACTIONS,
    Channel,
    Rating,
    Ticket,
    TicketAttachment,
    TicketKind,
    TicketStatus,
    TicketTransition,
)
from supervision.numbers import (
    code_digest,
    contact_digest,
    mask_email,
    mask_query_codes,
    new_query_code,
    new_ticket_number,
)
from supervision.sms import sms_sender

URGENT_HOURS = 24
RETURN_WORKING_DAYS = 2
MAX_EXTENSION_DAYS = 10
AUTO_CLOSE_DAYS = 7
WARNING_SUBJECTS = {
    "overdue": gettext_noop("Warning: ticket %(number)s (%(kind)s) is overdue"),
    "soon": gettext_noop("Warning: ticket %(number)s (%(kind)s) is due within one working day"),
}


# --- filing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmittedTicket:
    """The filed ticket and its query code (shown once to the complainant, never stored)."""

    ticket: Ticket
    code: str


def ticket_submit(
    *,
    kind: TicketKind,
    region: Region,
    content: str,
    channel: str = Channel.WEB,
    title: str = "",
    subtype: str = "",
    urgent: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    anonymous: bool = True,
    confidential: bool = False,
    referred_person: str = "",
    need_code: str = "",
    organization_id: int | None = None,
    publicity_list: dict[str, Any] | None = None,
    attachments: Sequence[CheckedEvidence] = (),
    call_time: datetime | None = None,
    actor: User | None = None,
    now: datetime | None = None,
) -> SubmittedTicket:
    """File a ticket and return it with its query code.

    Raises ``ValidationError`` for missing content, a report without what it is about, an
    urgent ticket of a kind that cannot be urgent, or a channel not in ``models.Channel``.
    The caller has checked the cited need, organization and publicity list exist.
    """
    errors: dict[str, str] = {}
    if not content.strip():
        errors["content"] = _("Say what happened or what you need.")
    if kind.code == "report" and not subtype:
        errors["subtype"] = _("Choose what the report is about.")
    if urgent and not kind.may_be_urgent:
        errors["urgent"] = _("Only help requests and referrals can be urgent.")
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    code = new_query_code()
    phone_digest = contact_digest(contact_phone) if contact_phone.strip() else ""
    email_digest = contact_digest(contact_email) if contact_email.strip() else ""
    held = _blocked(phone_digest, email_digest)
    department = _route(kind=kind, region=region, subtype=subtype, need_code=need_code)
    ticket = Ticket(
        kind=kind,
        subtype=subtype if kind.code == "report" else "",
        channel=channel,
        region=region,
        urgent=urgent,
        title=title.strip()[:100],
        content=content.strip(),
        referred_person=referred_person.strip() if kind.code == "referral" else "",
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        contact_email=normalize_email(contact_email) if contact_email.strip() else "",
        phone_digest=phone_digest,
        email_digest=email_digest,
        anonymous=anonymous,
        confidential=confidential,
        need_code=need_code or None,
        organization_id=organization_id,
        publicity_list_id=publicity_list["id"] if publicity_list else None,
        publicity_list_title=publicity_list["title"][:255] if publicity_list else "",
        held=held,
        department=department,
        submitted_at=now,
        call_time=call_time,
        accept_due_at=add_working_days(now, kind.acceptance_days),
        due_at=add_working_days(now, kind.handling_days),
        created_by=actor,
    )
    dispatch_urgent = urgent and not held
    if dispatch_urgent:
        # 急难: accepted and assigned to the county's civil affairs at once, 24 calendar hours.
        ticket.status = TicketStatus.ASSIGNED
        ticket.department = Department.CIVIL_AFFAIRS
        ticket.unit_region = region
        ticket.accepted_at = ticket.assigned_at = now
        ticket.accept_due_at = now
        ticket.due_at = now + timedelta(hours=URGENT_HOURS)
        ticket.return_due_at = add_working_days(now, RETURN_WORKING_DAYS)
    with transaction.atomic():
        for _attempt in range(5):
            ticket.id = new_ticket_number()
            ticket.code_digest = code_digest(ticket.id, code)
            try:
                with transaction.atomic():
                    ticket.save(force_insert=True)
                break
            except IntegrityError:  # the same 13 random digits drawn twice: draw again
                continue
        else:  # pragma: no cover - 10^13 numbers
            raise RuntimeError("no free ticket number")
        stored = []
        try:
            for item in attachments:
                attachment = TicketAttachment(
                    ticket=ticket,
                    content_type=item.content_type,
                    extension=item.extension,
                    size=item.size,
                    sha256=item.sha256,
                )
                attachment.file.save(f"attachment.{item.extension}", ContentFile(item.content), save=False)
                stored.append(attachment.file)
                attachment.save()
        except Exception:
            for file in stored:
                file.delete(save=False)
            raise
        transaction.on_commit(lambda: [file.close() for file in stored])
        _record(ticket, "submit", "", TicketStatus.SUBMITTED, actor, _role_of_creator(actor), "")
        if dispatch_urgent:
            _record(ticket, "accept", TicketStatus.SUBMITTED, TicketStatus.ACCEPTED, None, SYSTEM, "")
            _record(ticket, "assign", TicketStatus.ACCEPTED, TicketStatus.ASSIGNED, None, SYSTEM, "")
        _tell_complainant(
            ticket,
            _(
                "Your ticket %(number)s was received. Query code: %(code)s. "
                "Track it at %(url)s with the number and the code."
            )
            % {"number": ticket.id, "code": code, "url": _track_url()},
        )
        if not held:
            _announce_new(ticket)
    return SubmittedTicket(ticket=ticket, code=code)


def _role_of_creator(actor: User | None) -> str:
    if actor is None:
        return COMPLAINANT
    for role in (Role.HOTLINE_OPERATOR, Role.CASEWORKER, Role.SUPERVISOR):
        if actor.has_role(role):
            return role
    return "administrator"


def _blocked(*digests: str) -> bool:
    from supervision.models import BlockedContact

    wanted = [digest for digest in digests if digest]
    return bool(wanted) and BlockedContact.objects.filter(digest__in=wanted).exists()


def _route(*, kind: TicketKind, region: Region, subtype: str, need_code: str) -> str:
    """The department a ticket is proposed to go to (the intake staff assign it to that
    department's unit of the ticket's region unless they choose otherwise): the kind's default;
    a report of fraud, 应保未保 or 错保 goes to the department that certified the recipient (the
    cited need's department, else civil affairs)."""
    department = kind.default_department
    if kind.code == "report" and subtype in CERTIFICATION_SUBTYPES:
        department = Department.CIVIL_AFFAIRS
        if need_code:
            found = need_region_and_department(code=need_code)
            if found is not None:
                department = found[1]
    return department


# --- moves --------------------------------------------------------------------------------------


def _record(
    ticket: Ticket,
    action: str,
    from_status: str,
    to_status: str,
    actor: User | None,
    role: str,
    note: str,
    *,
    public_note: str = "",
    public: bool = True,
) -> TicketTransition:
    return TicketTransition.objects.create(
        ticket=ticket,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_role=role,
        note=note,
        public=public,
        public_note=public_note,
    )


def _check(ticket: Ticket, action: str, role: str) -> None:
    row = TICKET_ACTIONS[action]
    if ticket.status not in row.sources:
        raise TicketActionRefused(action, ticket.status)
    if role not in row.roles and not (role == "administrator" and not row.roles & {COMPLAINANT, SYSTEM}):
        raise TicketRoleRefused(action)


def _acting_role(user: User, ticket: Ticket, action: str) -> str:
    roles = ticket_roles(user, ticket)
    allowed = TICKET_ACTIONS[action].roles
    if "administrator" in roles and not allowed & {COMPLAINANT, SYSTEM}:
        return "administrator"
    for role in sorted(roles):
        if role in allowed:
            return role
    raise TicketRoleRefused(action)


def ticket_act(
    *,
    ticket: Ticket,
    action: str,
    actor: User,
    note: str = "",
    department: str = "",
    unit_region: Region | None = None,
    reply: str = "",
    days: int = 0,
    into: Ticket | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Take ``action`` (a key of ``TICKET_ACTIONS``) on ``ticket`` as staff member ``actor``.

    ``not_accept`` needs ``note`` (the reason, shown to the complainant); ``assign`` needs
    ``department`` and ``unit_region``; ``return`` needs ``note`` and is refused after
    ``RETURN_WORKING_DAYS`` working days; ``reply``/``supervisor_reply`` need ``reply``;
    ``request_extension`` needs ``days`` (1–10) and ``note``; ``approve_extension`` approves
    what was asked (or fewer ``days``); ``merge`` needs ``into``, an open ticket.
    """
    if action not in TICKET_ACTIONS or action in ("rate", "close_unrated"):
        raise TicketRefused(_("Unknown action."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status not in TICKET_ACTIONS[action].sources:
            raise TicketActionRefused(action, locked.status)
        role = _acting_role(actor, locked, action)
        _check(locked, action, role)
        result = _apply(
            locked,
            action,
            actor,
            role,
            note=note.strip(),
            department=department,
            unit_region=unit_region,
            reply=reply.strip(),
            days=days,
            into=into,
            now=now,
        )
    return result


def _apply(ticket: Ticket, action: str, actor: User | None, role: str, *, now: datetime, **params) -> Ticket:
    note = params.get("note", "")
    from_status = ticket.status
    to_status = TICKET_ACTIONS[action].targets and next(iter(TICKET_ACTIONS[action].targets))
    public_note = ""
    fields = ["status", "updated_at"]
    tell = ""
    if action == "accept":
        ticket.accepted_at = now
        fields.append("accepted_at")
    elif action == "not_accept":
        if not note:
            raise ValidationError(
                {"note": _("Say why the ticket is not accepted: the complainant reads it.")}
            )
        ticket.not_accepted_reason = note
        ticket.closed_at = now
        fields += ["not_accepted_reason", "closed_at"]
        public_note = note
        tell = _("Your ticket %(number)s was not accepted: %(reason)s") % {
            "number": ticket.id,
            "reason": note,
        }
    elif action == "assign":
        unit_region = params.get("unit_region")
        department = params.get("department")
        if not department or department not in Department.values or unit_region is None:
            raise ValidationError({"department": _("Choose the department and the region of the unit.")})
        ticket.department, ticket.unit_region = department, unit_region
        ticket.assigned_at = now
        ticket.return_due_at = add_working_days(now, RETURN_WORKING_DAYS)
        fields += ["department", "unit_region", "assigned_at", "return_due_at"]
    elif action == "return":
        if not note:
            raise ValidationError({"note": _("Say why the ticket is not for your unit.")})
        if ticket.return_due_at and now > ticket.return_due_at:
            raise TicketRefused(
                _(
                    "The %(days)s working days to return a misassigned ticket are over: handle it, "
                    "or ask the supervisor."
                )
                % {"days": RETURN_WORKING_DAYS},
                code="return_period_over",
            )
        ticket.assigned_at = ticket.return_due_at = ticket.unit_region = None
        fields += ["assigned_at", "return_due_at", "unit_region"]
    elif action in ("reply", "supervisor_reply"):
        reply = params.get("reply", "")
        if not reply:
            raise ValidationError({"reply": _("Write the reply the complainant will read.")})
        ticket.reply, ticket.replied_at = reply, now
        fields += ["reply", "replied_at"]
        tell = _(
            "Your ticket %(number)s has a reply. Read it and rate it at %(url)s with the "
            "number and your code."
        ) % {"number": ticket.id, "url": _track_url()}
    elif action == "request_extension":
        days = params.get("days") or 0
        if ticket.extension_days or ticket.extension_requested_days:
            raise TicketRefused(_("A ticket may be extended once only."), code="extension_used")
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            raise ValidationError(
                {"days": _("Ask for 1 to %(max)s working days.") % {"max": MAX_EXTENSION_DAYS}}
            )
        if not note:
            raise ValidationError({"note": _("Say why more time is needed.")})
        ticket.extension_requested_days = days
        fields.append("extension_requested_days")
        to_status = from_status
    elif action == "approve_extension":
        if not ticket.extension_requested_days or ticket.extension_days:
            raise TicketRefused(_("No extension is waiting for approval."), code="no_extension_request")
        days = params.get("days") or ticket.extension_requested_days
        if not 1 <= days <= ticket.extension_requested_days:
            raise ValidationError({"days": _("Approve at most the working days asked for.")})
        ticket.extension_days = days
        ticket.due_at = add_working_days(ticket.due_at, days)
        ticket.soon_due_warned_at = ticket.overdue_warned_at = None
        fields += ["extension_days", "due_at", "soon_due_warned_at", "overdue_warned_at"]
        to_status = from_status
        public_note = _("The time limit was extended by %(days)s working days, to %(due)s.") % {
            "days": days,
            "due": timezone.localtime(ticket.due_at).strftime("%Y-%m-%d"),
        }
    elif action == "merge":
        into = params.get("into")
        if into is None or into.pk == ticket.pk or into.merged_into_id or not into.is_open or into.held:
            raise ValidationError({"into": _("Merge into another open ticket.")})
        ticket.merged_into = into
        ticket.closed_at = now
        fields += ["merged_into", "closed_at"]
        public_note = _("Merged with ticket %(number)s, which handles the same matter.") % {"number": into.id}
        tell = _(
            "Your ticket %(number)s was merged with ticket %(other)s about the same matter; "
            "you can still track it with your number and code."
        ) % {"number": ticket.id, "other": into.id}
    ticket.status = to_status
    ticket.save(update_fields=list(dict.fromkeys(fields)))
    _record(ticket, action, from_status, to_status, actor, role, note, public_note=public_note)
    if tell:
        _tell_complainant(ticket, tell)
        if action in ("reply", "supervisor_reply"):
            for merged in ticket.merged.all():
                _tell_complainant(merged, tell.replace(ticket.id, merged.id))
    _announce_move(ticket, action, actor)
    return ticket


def ticket_rate(*, ticket: Ticket, rating: str, note: str = "", now: datetime | None = None) -> Ticket:
    """The complainant rates the reply: satisfied closes the ticket; the first unsatisfied
    rating reopens it (handled again, a new handling limit); the second escalates it to the
    supervisors; after a supervisor's reply, any rating closes it."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied or unsatisfied.")})
    now = now or timezone.now()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        _check(locked, "rate", COMPLAINANT)
        from_status = locked.status
        locked.rating, locked.rating_note = rating, note.strip()[:2000]
        fields = ["status", "rating", "rating_note", "updated_at"]
        if rating == Rating.SATISFIED or locked.escalated_at:
            locked.status, locked.closed_at = TicketStatus.CLOSED, now
            fields.append("closed_at")
        elif not locked.reopened:
            locked.status, locked.reopened = TicketStatus.REOPENED, True
            locked.due_at = add_working_days(now, locked.kind.handling_days)
            locked.soon_due_warned_at = locked.overdue_warned_at = None
            fields += ["reopened", "due_at", "soon_due_warned_at", "overdue_warned_at"]
        else:
            locked.status, locked.escalated_at = TicketStatus.ESCALATED, now
            locked.due_at = add_working_days(now, locked.kind.handling_days)
            locked.soon_due_warned_at = locked.overdue_warned_at = None
            fields += ["escalated_at", "due_at", "soon_due_warned_at", "overdue_warned_at"]
        locked.save(update_fields=fields)
        _record(
            locked,
            "rate",
            from_status,
            locked.status,
            None,
            COMPLAINANT,
            locked.rating_note,
            public_note=Rating(rating).label,
        )
        _announce_move(locked, "rate", None)
    return locked


def ticket_close_unrated(*, ticket_id: str, now: datetime | None = None) -> bool:
    """Close a replied ticket left without a rating for ``AUTO_CLOSE_DAYS`` days; safe to run
    twice (False when there is nothing to do)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if (
            locked is None
            or locked.status != TicketStatus.REPLIED
            or locked.replied_at is None
            or locked.replied_at > now - timedelta(days=AUTO_CLOSE_DAYS)
        ):
            return False
        locked.status, locked.closed_at = TicketStatus.CLOSED, now
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _record(locked, "close_unrated", TicketStatus.REPLIED, TicketStatus.CLOSED, None, SYSTEM, "")
    return True


# --- who is told --------------------------------------------------------------------------------


def _track_url() -> str:
    from django.urls import reverse

    return f"{settings.WAGTAILADMIN_BASE_URL}{reverse('complaint-track')}"


def _admin_url(ticket: Ticket) -> str:
    from django.urls import reverse

    return reverse("supervision_tickets:detail", args=[ticket.pk])


def _tell_complainant(ticket: Ticket, message: str) -> None:
    """Text and/or e-mail the complainant, once committed (in the portal's language).

    The e-mail marks the query code and the address as secret: a backend that prints messages
    (``core.mail.ConsoleEmailBackend``, development) masks them."""
    phone, email = str(ticket.contact_phone or ""), str(ticket.contact_email or "")
    if not phone and not email:
        return

    def send() -> None:
        if phone:
            sms_sender().send(phone, message)
        if email:
            with override(settings.LANGUAGE_CODE):
                subject = _("About your ticket %(number)s") % {"number": ticket.id}
            mail = EmailMessage(subject, message, settings.DEFAULT_FROM_EMAIL, [email])
            mail.mask_for_console = lambda text: mask_query_codes(text).replace(email, mask_email(email))
            mail.send(fail_silently=True)

    transaction.on_commit(send)


def _unit_handlers(ticket: Ticket) -> list[User]:
    if not ticket.unit_region_id or not ticket.department:
        return []
    if ticket.department == Department.CIVIL_AFFAIRS:
        return caseworkers_for(ticket.unit_region_id)
    return staff_for(ticket.unit_region_id, role=Role.DEPARTMENT_HANDLER, department=ticket.department)


def _supervisors(ticket: Ticket) -> list[User]:
    return staff_for(ticket.unit_region_id or ticket.region_id, role=Role.SUPERVISOR)


def _intake(ticket: Ticket) -> list[User]:
    return staff_for(ticket.region_id, role=Role.HOTLINE_OPERATOR) or caseworkers_for(ticket.region_id)


def _phrase_ticket(text: str, ticket: Ticket) -> Phrase:
    return Phrase(text, number=ticket.id, kind=ticket.kind.name)


def _announce_new(ticket: Ticket) -> None:
    url = _admin_url(ticket)
    if ticket.urgent:
        notify(
            users=_unit_handlers(ticket),
            subject=_phrase_ticket(
                gettext_noop("Urgent ticket %(number)s (%(kind)s): act within 24 hours"), ticket
            ),
            url=url,
        )
    else:
        notify(
            users=_intake(ticket),
            subject=_phrase_ticket(gettext_noop("New ticket %(number)s (%(kind)s)"), ticket),
            url=url,
        )
    _announce_links(ticket)


def _announce_links(ticket: Ticket) -> None:
    """A ticket citing a need tells the need's caseworkers and the admins of the organizations
    holding claims on it; citing an organization tells its admins and its region's caseworkers.
    They learn the number and kind only: nothing of the complainant or the content."""
    users: list[User] = []
    if ticket.need_code:
        found = need_region_and_department(code=ticket.need_code)
        if found is not None:
            users += caseworkers_for(found[0])
        users += organization_admins(organization_ids=claiming_organization_ids(need_code=ticket.need_code))
    if ticket.organization_id:
        users += organization_admins(organization_ids=[ticket.organization_id])
        region_code = organization_region_code(pk=ticket.organization_id)
        if region_code:
            users += caseworkers_for(region_code)
    if users:
        notify(
            users=users,
            subject=_phrase_ticket(gettext_noop("Ticket %(number)s (%(kind)s) concerns your work"), ticket),
            body=Phrase(gettext_noop("The handling unit may contact you about it.")),
        )


def _announce_move(ticket: Ticket, action: str, actor: User | None) -> None:
    url = _admin_url(ticket)
    recipients: Iterable[User] = ()
    subject = ""
    if action == "assign":
        recipients, subject = (
            _unit_handlers(ticket),
            gettext_noop("Ticket %(number)s (%(kind)s) was assigned to your unit"),
        )
    elif action == "return":
        recipients, subject = (
            _intake(ticket),
            gettext_noop("Ticket %(number)s (%(kind)s) was returned as misassigned"),
        )
    elif action == "request_extension":
        recipients, subject = (
            _supervisors(ticket),
            gettext_noop("Ticket %(number)s: an extension waits for approval"),
        )
    elif action == "approve_extension":
        recipients, subject = (
            _unit_handlers(ticket),
            gettext_noop("Ticket %(number)s: the extension was approved"),
        )
    elif action == "rate" and ticket.status == TicketStatus.REOPENED:
        recipients, subject = (
            _unit_handlers(ticket),
            gettext_noop("Ticket %(number)s was reopened: the complainant is unsatisfied"),
        )
    elif action == "rate" and ticket.status == TicketStatus.ESCALATED:
        recipients, subject = _supervisors(ticket), gettext_noop("Ticket %(number)s was escalated to you")
    recipients = [user for user in recipients if actor is None or user.pk != actor.pk]
    if recipients:
        notify(users=recipients, subject=_phrase_ticket(subject, ticket), url=url)


# --- the beat's warnings (预警) -------------------------------------------------------------------


def ticket_warn_due(*, ticket_id: str, now: datetime | None = None) -> str:
    """Warn the handling unit and its supervisors once that a ticket is due within one working
    day, and once that it is overdue; returns "soon", "overdue" or "" (nothing sent). Safe to
    run twice: the ticket remembers each warning."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        warning = locked.warning(now) if locked is not None else ""
        field = {"overdue": "overdue_warned_at", "soon": "soon_due_warned_at"}.get(warning)
        if field is None or getattr(locked, field):
            return ""
        setattr(locked, field, now)
        locked.save(update_fields=[field])
        notify(
            users=[*_unit_handlers(locked), *_supervisors(locked)],
            subject=_phrase_ticket(WARNING_SUBJECTS[warning], locked),
            url=_admin_url(locked),
        )
        return warning


def tickets_warn_due(*, now: datetime | None = None) -> dict[str, int]:
    """Send every warning due now (beat): each ticket is warned once soon-due, once overdue."""
    now = now or timezone.now()
    horizon = add_working_days(now, 1)
    candidates = Ticket.objects.filter(
        held=False, status__in=STAFF_STATUSES, due_at__lte=horizon, overdue_warned_at__isnull=True
    )
    sent = {"soon": 0, "overdue": 0}
    for ticket_id in candidates.values_list("pk", flat=True).iterator():
        outcome = ticket_warn_due(ticket_id=ticket_id, now=now)
        if outcome:
            sent[outcome] += 1
    return sent


def tickets_close_unrated(*, now: datetime | None = None) -> int:
    """Close every replied ticket left unrated for ``AUTO_CLOSE_DAYS`` days (beat)."""
    now = now or timezone.now()
    due = Ticket.objects.filter(
        status=TicketStatus.REPLIED, replied_at__lte=now - timedelta(days=AUTO_CLOSE_DAYS)
    ).values_list("pk", flat=True)
    return sum(ticket_close_unrated(ticket_id=pk, now=now) for pk in list(due))
