"""The public pages of tickets: file one (/complaints/new/) and track it (/complaints/track/).

Tracking asks for the ticket number and the query code together. A wrong pair gets exactly the
page an unknown number gets (same template, same words, the same digest computed and compared
in constant time), and every lookup counts against the client address's limit
(``TICKET_TRACK_LIMIT`` per ``TICKET_TRACK_WINDOW_SECONDS``, in the shared cache), so numbers
and codes cannot be tried in bulk.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from cms.selectors import publicity_list
from core.evidence import MAX_FILES, max_evidence_bytes
from core.http import client_address
from core.ratelimit import attempt
from supervision.forms import TicketForm
from supervision.models import OBJECTION, Rating, Ticket, TicketStatus
from supervision.selectors import ticket_by_number_and_code, ticket_public_timeline
from supervision.services import ticket_rate, ticket_submit

TRACK_SCOPE = "ticket-track"
SUBMIT_SCOPE = "ticket-submit"


def _form_context(form: TicketForm, **extra) -> dict:
    return {
        "form": form,
        "max_files": MAX_FILES,
        "max_mb": f"{max_evidence_bytes() / (1024 * 1024):g}",
        "objection": form.objection,
        **extra,
    }


@never_cache
@sensitive_post_parameters("contact_name", "contact_phone", "contact_email", "referred_person")
def complaint_new(request):
    """The public form; a filed ticket's number and code are shown once, on the answer page."""
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES)
        if form.is_valid():
            if not attempt(
                SUBMIT_SCOPE, client_address(request) or "", limit=settings.TICKET_SUBMIT_LIMIT, window=3600
            ):
                form.add_error(
                    None,
                    _(
                        "Too many tickets were filed from this address. Please try again in an hour, or "
                        "call the hotline."
                    ),
                )
            else:
                try:
                    submitted = ticket_submit(**form.submission())
                except ValidationError as refused:
                    for field, errors in refused.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    return render(
                        request,
                        "supervision/complaint_received.html",
                        {"ticket": submitted.ticket, "code": submitted.code},
                    )
        return render(request, "supervision/complaint_new.html", _form_context(form), status=200)
    initial = {"anonymous": True}
    error = ""
    kind = request.GET.get("kind", "")
    if kind:
        initial["kind"] = kind
    for name in ("need_code", "organization"):
        if request.GET.get(name):
            initial[name] = request.GET[name][:20]
    form = TicketForm(initial=initial)
    list_id = request.GET.get("publicity_list", "")
    if list_id:
        summary = publicity_list(int(list_id)) if list_id.isdigit() and len(list_id) < 10 else None
        if summary is None:
            error = _(
                "This publicity list does not exist or is no longer published, so no objection "
                "can be filed against it. Open the objection link from the list's page."
            )
        else:
            form = TicketForm(initial={**initial, "kind": OBJECTION, "publicity_list": summary["id"]})
            form.objection = summary
    return render(request, "supervision/complaint_new.html", _form_context(form, link_error=error))


class TrackForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Ticket number"), max_length=20)
    code = forms.CharField(label=gettext_lazy("Query code"), max_length=12)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=gettext_lazy("Are you satisfied with the reply?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    rating_note = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


NOT_FOUND = gettext_lazy(
    "No ticket matches this number and query code. Check both (the code is on the "
    "text message or e-mail you received), or call the hotline."
)
THROTTLED = gettext_lazy(
    "Too many lookups from this address. Please try again in a quarter of an hour, or call the hotline."
)


@never_cache
@sensitive_post_parameters("code")
def complaint_track(request):
    """Look a ticket up by number and code (POST, so neither lands in a log's URL)."""
    context: dict = {"form": TrackForm(), "rating_form": None}
    status = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        context["form"] = form
        allowed = attempt(
            TRACK_SCOPE,
            client_address(request) or "",
            limit=settings.TICKET_TRACK_LIMIT,
            window=settings.TICKET_TRACK_WINDOW_SECONDS,
        )
        if not allowed:
            context["error"] = THROTTLED
            status = 429
        elif form.is_valid():
            number = "".join(form.cleaned_data["number"].split())
            code = form.cleaned_data["code"]
            ticket = ticket_by_number_and_code(number=number, code=code)
            if ticket is None:
                # An empty form: nothing in the answer tells a wrong code from an unknown number.
                context["error"], context["form"] = NOT_FOUND, TrackForm()
            else:
                if request.POST.get("rate") and ticket.status == TicketStatus.REPLIED:
                    rating_form = RatingForm(request.POST)
                    if rating_form.is_valid():
                        ticket = ticket_rate(
                            ticket=ticket,
                            rating=rating_form.cleaned_data["rating"],
                            note=rating_form.cleaned_data["rating_note"],
                        )
                        context["rated"] = True
                    else:
                        context["rating_form"] = rating_form
                context.update(_tracked(ticket, code))
                if context.get("rating_form") is None and ticket.status == TicketStatus.REPLIED:
                    context["rating_form"] = RatingForm()
        else:
            context["error"], context["form"] = NOT_FOUND, TrackForm()
    return render(request, "supervision/complaint_track.html", context, status=status)


def _tracked(ticket: Ticket, code: str) -> dict:
    """What the complainant sees: status, due date, public timeline and reply; for a ticket
    merged into another, the other's progress too (never its complainant's details)."""
    handling = ticket.merged_into or ticket
    return {
        "ticket": ticket,
        "code": code,
        "handling": handling,
        "timeline": ticket_public_timeline(ticket=ticket),
        "handling_timeline": ticket_public_timeline(ticket=handling) if handling is not ticket else [],
    }
