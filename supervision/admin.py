"""Back-office views of tickets (registered in ``wagtail_hooks.py``).

* 工单 (``/admin/tickets/``): the queue of the tickets the user acts on, open first by due date,
  with 预警 markers (due within one working day, overdue); a ticket's page with the actions the
  table allows the user's roles, the contact masked with a logged reveal, the referred person
  for the county caseworkers only, attachments, and the moves so far.
* 热线登记 (``/admin/tickets/new/``): hotline operators type in a call, letter or visit.
* Ticket kinds, the holiday table and the blocklist are edited by administrators.

Views parse input, call one selector or service, and render.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from accounts.models import Department
from accounts.permissions import (
    is_administrator,
    may_handle_tickets,
    may_see_referred_person,
    may_see_ticket_complainant,
    may_take_calls,
    ticket_roles,
)
from core.backoffice import AdminPage, menu_item_for
from core.errors import RefusalRedirectMixin
from privacy.access import record_read
from privacy.generalize import mask_name, mask_phone
from privacy.models import SensitiveKind
from regions.models import Region
from supervision.calendar import calendar_needs_update
from supervision.forms import HotlineTicketForm
from supervision.models import (
    COMPLAINANT,
    SYSTEM,
    TICKET_ACTIONS,
    BlockedContact,
    Holiday,
    Ticket,
    TicketKind,
    TicketStatus,
)
from supervision.numbers import contact_digest, mask_email
from supervision.selectors import ticket_for_staff, ticket_queue, ticket_transitions
from supervision.services import MAX_EXTENSION_DAYS, ticket_act, ticket_submit


def due_marker(ticket: Ticket, now=None) -> str:
    """预警 of a ticket for the queue (``Ticket.warning``)."""
    return ticket.warning(now)


def masked_phone(phone: str) -> str:
    try:
        return mask_phone(phone)
    except ValueError:
        return "***"


class _TicketsPage(AdminPage):
    check = staticmethod(may_handle_tickets)
    header_icon = "mail"


# --- the queue ------------------------------------------------------------------------------------

TABS = [
    ("open", pgettext_lazy("tickets tab", "Open")),
    ("overdue", gettext_lazy("Overdue")),
    ("all", gettext_lazy("All")),
]


@method_decorator(never_cache, name="dispatch")
class TicketQueueView(_TicketsPage):
    template_name = "supervision/admin/queue.html"
    page_title = gettext_lazy("Tickets")
    paginate_by = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tab = self.request.GET.get("tab", "open")
        if tab not in dict(TABS):
            tab = "open"
        tickets = ticket_queue(user=self.request.user, overdue_only=tab == "overdue")
        if tab == "open":
            tickets = tickets.exclude(status__in=(TicketStatus.NOT_ACCEPTED, TicketStatus.CLOSED))
        listing = self.paginate(tickets)
        now = timezone.now()
        context.update(
            listing,
            tab=tab,
            tabs=[
                {"code": code, "label": label, "url": f"?tab={code}", "current": code == tab}
                for code, label in TABS
            ],
            rows=[
                {"ticket": ticket, "marker": due_marker(ticket, now)}
                for ticket in listing["page_obj"].object_list
            ],
            calendar_warning=calendar_needs_update(timezone.localdate())
            and not Holiday.objects.filter(date__year=timezone.localdate().year + 1).exists(),
            may_take_calls=may_take_calls(self.request.user),
        )
        return context


# --- one ticket -----------------------------------------------------------------------------------


class AssignForm(forms.Form):
    department = forms.ChoiceField(label=gettext_lazy("Department"), choices=Department.choices)
    unit_region = forms.ChoiceField(label=gettext_lazy("Region of the unit"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_region"].choices = [
            (code, f"{name} ({code})")
            for code, name in Region.objects.order_by("code").values_list("code", "name")
        ]


@method_decorator(never_cache, name="dispatch")
class TicketDetailView(RefusalRedirectMixin, _TicketsPage):
    template_name = "supervision/admin/ticket.html"

    def get_refusal_url(self) -> str:
        return reverse("supervision_tickets:detail", args=[self.kwargs["pk"]])

    @cached_property
    def ticket(self) -> Ticket:
        try:
            return ticket_for_staff(user=self.request.user, pk=self.kwargs["pk"])
        except Ticket.DoesNotExist:
            raise Http404 from None

    def get_page_title(self):
        return _("Ticket %(number)s") % {"number": self.ticket.id}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("supervision_tickets:index"), "label": _("Tickets")},
            {"url": "", "label": self.ticket.id},
        ]

    def actions(self) -> list[dict]:
        """The actions of the table the user may take on the ticket now."""
        roles = ticket_roles(self.request.user, self.ticket)
        result = []
        for code, action in TICKET_ACTIONS.items():
            if action.roles & {COMPLAINANT, SYSTEM} or self.ticket.status not in action.sources:
                continue
            if roles & action.roles or "administrator" in roles:
                result.append({"code": code, "label": action.label})
        return result

    def get_context_data(self, *, errors=None, revealed=False, show_person=False, **kwargs):
        context = super().get_context_data(**kwargs)
        ticket = self.ticket
        user = self.request.user
        sees_complainant = may_see_ticket_complainant(user, ticket)
        contact = {}
        if sees_complainant:
            if revealed:
                contact = {
                    "name": ticket.contact_name,
                    "phone": ticket.contact_phone,
                    "email": ticket.contact_email,
                }
            else:
                contact = {
                    "name": mask_name(ticket.contact_name) if ticket.contact_name else "",
                    "phone": masked_phone(ticket.contact_phone) if ticket.contact_phone else "",
                    "email": mask_email(ticket.contact_email) if ticket.contact_email else "",
                }
        context.update(
            ticket=ticket,
            marker=due_marker(ticket),
            actions=self.actions(),
            transitions=ticket_transitions(ticket=ticket),
            attachments=list(ticket.attachments.all()),
            sees_complainant=sees_complainant,
            has_contact=bool(ticket.contact_name or ticket.contact_phone or ticket.contact_email),
            contact=contact,
            revealed=revealed,
            sees_person=may_see_referred_person(user, ticket) and bool(ticket.referred_person),
            show_person=show_person,
            assign_form=AssignForm(
                initial={"department": ticket.department, "unit_region": ticket.unit_region_id}
            ),
            max_extension=MAX_EXTENSION_DAYS,
            merged=list(ticket.merged.all()),
            errors=errors or [],
        )
        return context

    def post(self, request, *args, **kwargs):
        ticket = self.ticket
        action = request.POST.get("action", "")
        if action == "reveal":
            if not may_see_ticket_complainant(request.user, ticket):
                raise PermissionDenied
            record_read(request, kind=SensitiveKind.TICKET_CONTACT, reference=ticket.id)
            return self.render_to_response(self.get_context_data(revealed=True))
        if action == "show_person":
            if not may_see_referred_person(request.user, ticket):
                raise PermissionDenied
            record_read(request, kind=SensitiveKind.REFERRED_PERSON, reference=ticket.id)
            return self.render_to_response(self.get_context_data(show_person=True))
        if action not in TICKET_ACTIONS:
            return redirect("supervision_tickets:detail", pk=ticket.pk)
        params: dict = {"note": request.POST.get("note", "")}
        try:
            if action == "assign":
                form = AssignForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose the department and the region of the unit."))
                params["department"] = form.cleaned_data["department"]
                params["unit_region"] = Region.objects.get(code=form.cleaned_data["unit_region"])
            elif action in ("reply", "supervisor_reply"):
                params["reply"] = request.POST.get("reply", "")
            elif action in ("request_extension", "approve_extension"):
                try:
                    params["days"] = int(request.POST.get("days") or 0)
                except ValueError:
                    raise ValidationError(_("Enter a whole number of working days.")) from None
            elif action == "merge":
                into = Ticket.objects.filter(pk=request.POST.get("into", "").strip()).first()
                if into is None or not ticket_roles(request.user, into):
                    raise ValidationError(_("No ticket with this number in your region."))
                params["into"] = into
            ticket_act(ticket=ticket, action=action, actor=request.user, **params)
        except ValidationError as refused:
            return self.render_to_response(self.get_context_data(errors=refused.messages))
        messages.success(request, _("Done: %(action)s.") % {"action": TICKET_ACTIONS[action].label})
        return redirect("supervision_tickets:detail", pk=ticket.pk)


class AttachmentView(_TicketsPage):
    """An attachment of a ticket the user acts on: served as a download, the read logged."""

    def get(self, request, pk: str, attachment: int):
        try:
            ticket = ticket_for_staff(user=request.user, pk=pk)
        except Ticket.DoesNotExist:
            raise Http404 from None
        item = ticket.attachments.filter(pk=attachment).first()
        if item is None:
            raise Http404
        record_read(request, kind=SensitiveKind.TICKET_ATTACHMENT, reference=f"{ticket.id}/{item.pk}")
        response = FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=f"{ticket.id}-{item.pk}.{item.extension}",
            content_type=item.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- the hotline operators' form ------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class HotlineTicketView(_TicketsPage):
    check = staticmethod(may_take_calls)
    template_name = "supervision/admin/hotline.html"
    page_title = gettext_lazy("Type in a call")
    header_icon = "mail"

    def get_context_data(self, *, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or HotlineTicketForm(
            initial={"call_time": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        )
        return context

    def post(self, request, *args, **kwargs):
        form = HotlineTicketForm(request.POST, request.FILES)
        if form.is_valid():
            values = form.submission()
            region = values["region"]
            if not (request.user.is_superuser or is_administrator(request.user)) and not (
                request.user.region_id and region.code.startswith(request.user.region.prefix)
            ):
                form.add_error("region", _("This region is outside your scope."))
            else:
                try:
                    submitted = ticket_submit(actor=request.user, **values)
                except ValidationError as refused:
                    for field, errors in refused.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    messages.success(
                        request,
                        _(
                            "Ticket %(number)s was filed. Tell the caller the number and the query code "
                            "%(code)s."
                        )
                        % {"number": submitted.ticket.id, "code": submitted.code},
                    )
                    return redirect("supervision_tickets:detail", pk=submitted.ticket.pk)
        return self.render_to_response(self.get_context_data(form=form))


class TicketsViewSet(ViewSet):
    name = "supervision_tickets"
    url_prefix = "tickets"
    icon = "mail"
    menu_label = gettext_lazy("Tickets")
    menu_name = "tickets"
    menu_order = 180
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self):
        return menu_item_for(may_handle_tickets)

    def get_urlpatterns(self):
        return [
            path("", TicketQueueView.as_view(), name="index"),
            path("new/", HotlineTicketView.as_view(), name="new"),
            path("<str:pk>/", TicketDetailView.as_view(), name="detail"),
            path("<str:pk>/attachments/<int:attachment>/", AttachmentView.as_view(), name="attachment"),
        ]


# --- administrators: kinds, holidays, blocklist -------------------------------------------------


KIND_FIELDS = [
    "name",
    "description",
    "acceptance_days",
    "handling_days",
    "default_department",
    "public_in_statistics",
    "may_be_urgent",
    "position",
    "active",
]


class TicketKindForm(WagtailAdminModelForm):
    """A kind's name and limits; its code (the key tickets and statistics use) is set once."""

    class Meta:
        model = TicketKind
        fields = KIND_FIELDS


class TicketKindCreateForm(TicketKindForm):
    class Meta(TicketKindForm.Meta):
        fields = ["code", *KIND_FIELDS]


class TicketKindViewSet(ModelViewSet):
    model = TicketKind
    name = "supervision_kinds"
    url_prefix = "ticket-kinds"
    icon = "list-ul"
    menu_label = gettext_lazy("Ticket kinds and time limits")
    add_to_settings_menu = True
    copy_view_enabled = False
    list_display = [
        "name",
        "code",
        "acceptance_days",
        "handling_days",
        "default_department",
        "public_in_statistics",
    ]

    def get_form_class(self, for_update=False):
        return TicketKindForm if for_update else TicketKindCreateForm


class HolidayViewSet(ModelViewSet):
    model = Holiday
    name = "supervision_holidays"
    url_prefix = "holidays"
    icon = "date"
    menu_label = gettext_lazy("Holidays (years the calendar does not cover)")
    add_to_settings_menu = True
    copy_view_enabled = False
    list_display = ["date", "name", "working_day"]
    form_fields = ["date", "name", "working_day"]


class BlockedContactForm(forms.ModelForm):
    contact = forms.CharField(
        label=gettext_lazy("Phone number or e-mail address"),
        max_length=254,
        help_text=gettext_lazy("Only a keyed digest is kept, and a masked form to recognise it."),
    )

    class Meta:
        model = BlockedContact
        fields = ["reason"]

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        digest = contact_digest(value)
        if not digest:
            raise ValidationError(_("Enter a phone number or an e-mail address."))
        if BlockedContact.objects.filter(digest=digest).exists():
            raise ValidationError(_("This contact is already blocked."))
        return value

    def save(self, commit=True):
        value = self.cleaned_data["contact"]
        self.instance.digest = contact_digest(value)
        self.instance.masked = mask_email(value) if "@" in value else masked_phone(value)
        return super().save(commit=commit)


class BlockedContactViewSet(ModelViewSet):
    model = BlockedContact
    name = "supervision_blocked"
    url_prefix = "blocked-contacts"
    icon = "warning"
    menu_label = gettext_lazy("Blocked contacts")
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["masked", "reason", "created_at"]
    form_class = BlockedContactForm

    def get_form_class(self, for_update=False):
        return BlockedContactForm
