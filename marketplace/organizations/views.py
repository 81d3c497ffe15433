"""Public pages of organizations and volunteers: the directory, registration, membership.

Views parse input, call one selector or service, and render. The certificate is never linked
here: only caseworkers see it, in the back office (``marketplace.organizations.admin``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from accounts.permissions import holds_office
from accounts.roles import OFFICE_HOLDERS
from marketplace.needs.choices import NeedType
from marketplace.organizations.api import serialize_public
from marketplace.organizations.forms import (
    DirectoryFilterForm,
    InviteForm,
    OrganizationRegistrationForm,
    VolunteerProfileForm,
    VolunteerRegistrationForm,
    add_service_errors,
    with_labels,
)
from marketplace.organizations.hooks import organization_page_sections
from marketplace.organizations.models import Membership, MembershipStatus, Organization
from marketplace.organizations.selectors import (
    membership_of,
    memberships_of,
    organization_members,
    organization_public_get,
    organization_public_list,
    organizations_administered,
    volunteer_for,
    volunteer_pending_team,
)
from marketplace.organizations.services.membership import (
    membership_decide,
    membership_invite,
    membership_remove,
    membership_request,
    membership_respond,
)
from marketplace.organizations.services.registration import organization_register
from marketplace.organizations.services.volunteers import volunteer_register, volunteer_update

PAGE_SIZE = 20


# --- the public directory ----------------------------------------------------------------------


def organization_directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organizations = organization_public_list(
        city=filters.get("city") or None, need_type=filters.get("need_type") or None
    )
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organizations/directory.html",
        {
            "form": form,
            "page": page,
            "organizations": serialize_public(page.object_list),
            "filtered": bool(filters.get("city") or filters.get("need_type")),
            "query": query.urlencode(),
        },
    )


def organization_detail(request, pk: int):
    try:
        organization = organization_public_get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None
    [card] = serialize_public([organization])
    context = {
        "organization": card,
        "membership": membership_of(user=request.user, organization=organization),
        "sections": [],
    }
    for section in organization_page_sections:
        template, section_context = section(organization)
        context["sections"].append(template)
        context.update(section_context)
    return render(request, "organizations/detail.html", context)


@require_POST
@login_required
def organization_join(request, pk: int):
    try:
        organization = organization_public_get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404 from None
    try:
        membership = membership_request(organization=organization, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("organizations:detail", pk=pk)
    if membership.status == MembershipStatus.ACTIVE:
        messages.success(request, _("You are now a member of %(name)s.") % {"name": organization.name})
    else:
        messages.success(
            request,
            _("Your request to join %(name)s was sent; its administrators will answer.")
            % {"name": organization.name},
        )
    return redirect("organizations:mine")


# --- registration ------------------------------------------------------------------------------


def _office_holder_refused(request):
    """Staff review and verify charities' work; they do not take part in it (the services
    refuse it too): say so instead of showing a form that cannot succeed."""
    messages.error(request, OFFICE_HOLDERS)
    return redirect("account:profile")


def _email_unverified(request, template: str):
    """An unverified address: the page explains and offers a new link instead of a form that
    the service would refuse (it does: ``require_verified_email``)."""
    status = 403 if request.method == "POST" else 200
    return render(request, template, {"email_unverified": True}, status=status)


@login_required
def organization_register_view(request):
    if holds_office(request.user):
        return _office_holder_refused(request)
    if not request.user.email_verified:
        return _email_unverified(request, "organizations/register.html")
    form = OrganizationRegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = organization_register(
                user=request.user,
                name=data["name"],
                kind=data["kind"],
                uscc=data["uscc"],
                registration_authority=data["registration_authority"],
                region_code=data["region"],
                service_regions=data["service_regions"],
                need_types=data["need_types"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                description=data["description"],
                certificate=data["certificate"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"service_regions": "service_cities"})
        else:
            messages.success(
                request,
                _(
                    "%(name)s is registered and waits for verification by the caseworkers of its "
                    "region. You will be told of their decision."
                )
                % {"name": registration.organization.name},
            )
            for warning in registration.warnings:
                messages.warning(request, warning)
            return redirect("organizations:mine")
    return render(request, "organizations/register.html", {"form": form})


# --- my organizations and memberships ----------------------------------------------------------


def _mine(request, *, invite_forms: dict | None = None, status: int = 200):
    invite_forms = invite_forms or {}
    administered = [
        {
            "organization": organization,
            "members": with_labels(organization_members(organization=organization)),
            "invite_form": invite_forms.get(organization.pk)
            or InviteForm(prefix=f"invite-{organization.pk}"),
        }
        for organization in organizations_administered(user=request.user)
    ]
    administered_ids = {entry["organization"].pk for entry in administered}
    return render(
        request,
        "organizations/mine.html",
        {
            "administered": administered,
            "memberships": with_labels(
                membership
                for membership in memberships_of(user=request.user)
                if membership.organization_id not in administered_ids
            ),
            "volunteer": volunteer_for(user=request.user),
        },
        status=status,
    )


@login_required
def organizations_mine(request):
    return _mine(request)


@require_POST
@login_required
def organization_invite(request, pk: int):
    organization = get_object_or_404(organizations_administered(user=request.user), pk=pk)
    form = InviteForm(request.POST, prefix=f"invite-{pk}")
    if form.is_valid():
        try:
            membership = membership_invite(
                organization=organization,
                username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if membership.status == MembershipStatus.ACTIVE:
                text = _("%(user)s had asked to join and is now a member.")
            else:
                text = _("%(user)s is invited.")
            messages.success(request, text % {"user": membership.user.username})
            return redirect("organizations:mine")
    return _mine(request, invite_forms={pk: form}, status=400)


MEMBERSHIP_ACTIONS = {
    "accept": lambda membership, user: membership_respond(membership=membership, user=user, accept=True),
    "decline": lambda membership, user: membership_respond(membership=membership, user=user, accept=False),
    "approve": lambda membership, user: membership_decide(membership=membership, actor=user, approve=True),
    "refuse": lambda membership, user: membership_decide(membership=membership, actor=user, approve=False),
    "remove": lambda membership, user: membership_remove(membership=membership, actor=user),
}
MEMBERSHIP_DONE = {
    "accept": gettext_lazy("You joined %(name)s."),
    "decline": gettext_lazy("You declined the invitation of %(name)s."),
    "approve": gettext_lazy("%(user)s is now a member of %(name)s."),
    "refuse": gettext_lazy("The request of %(user)s was declined."),
    "remove": gettext_lazy("The membership of %(user)s in %(name)s has ended."),
}


@require_POST
@login_required
def membership_action(request, pk: int, action: str):
    if action not in MEMBERSHIP_ACTIONS:
        raise Http404
    membership = get_object_or_404(Membership.objects.select_related("organization", "user"), pk=pk)
    try:
        MEMBERSHIP_ACTIONS[action](membership, request.user)
    except PermissionDenied:
        # Someone else's membership: as if it did not exist.
        raise Http404 from None
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            str(MEMBERSHIP_DONE[action])
            % {"name": membership.organization.name, "user": membership.user.username},
        )
    return redirect("organizations:mine")


# --- volunteers ----------------------------------------------------------------------------------


@sensitive_variables("data")
@sensitive_post_parameters("real_name", "id_number")
@login_required
def volunteer_register_view(request):
    if holds_office(request.user):
        return _office_holder_refused(request)
    if volunteer_for(user=request.user) is not None:
        messages.info(request, _("You are already registered as a volunteer."))
        return redirect("organizations:volunteer-me")
    if not request.user.email_verified:
        return _email_unverified(request, "organizations/volunteer_register.html")
    form = VolunteerRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer_register(
                user=request.user,
                real_name=data["real_name"],
                id_number=data["id_number"],
                need_types=data["need_types"],
                team=data["team"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "already_registered":
                messages.info(request, _("You are already registered as a volunteer."))
                return redirect("organizations:volunteer-me")
            add_service_errors(form, exc)
        else:
            messages.success(request, _("You are registered as a volunteer. Thank you!"))
            if data["team"] is not None:
                messages.info(
                    request,
                    _("Your request to join %(name)s was sent; its administrators will answer.")
                    % {"name": data["team"].name},
                )
            return redirect("organizations:volunteer-me")
    return render(request, "organizations/volunteer_register.html", {"form": form})


@login_required
def volunteer_me(request):
    volunteer = volunteer_for(user=request.user)
    if volunteer is None:
        return redirect("organizations:volunteer-register")
    initial = {"need_types": volunteer.need_types, "team": volunteer.team}
    form = VolunteerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer_update(
                volunteer=volunteer,
                need_types=form.cleaned_data["need_types"],
                team=form.cleaned_data["team"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your volunteer profile is saved."))
            return redirect("organizations:volunteer-me")
    pending_team = volunteer_pending_team(user=request.user)
    return render(
        request,
        "organizations/volunteer_me.html",
        {
            "volunteer": volunteer,
            "services": [NeedType(code).label for code in volunteer.need_types if code in NeedType.values],
            "pending_team": pending_team,
            "form": form,
        },
    )
