"""Public and organization pages of matching: offers and their recommendations, invitations,
volunteer availability, charity projects and pledges.

Views parse input, call one selector or service, and render. An organization's offers and
invitations are found only among the organizations the user belongs to (404 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, redirect_on_refusal
from marketplace.matching.forms import AvailabilityForm, DeclineForm, OfferForm, PledgeForm, ProjectForm
from marketplace.matching.models import (
    AllocationLine,
    CharityProject,
    OfferStatus,
    Pledge,
    VolunteerAvailability,
)
from marketplace.matching.scoring import RankedNeeds, RankedPaginator, planner_without_jit, recommend_needs
from marketplace.matching.selectors import (
    activity_of_organization,
    invitations_for,
    invitations_for_volunteer,
    offers_of_organizations,
    pledges_public,
    pledges_to_answer,
    project_open_for_pledges,
    projects_of_organizations,
    projects_public,
)
from marketplace.matching.services.allocation import invitation_accept, invitation_decline
from marketplace.matching.services.offers import availability_save, offer_close, offer_create
from marketplace.matching.services.projects import pledge_answer, pledge_make, project_figures, project_open
from marketplace.organizations.forms import add_service_errors
from marketplace.organizations.models import OrganizationStatus
from marketplace.organizations.selectors import (
    organizations_administered,
    organizations_for_claiming,
    volunteer_for,
)

PAGE_SIZE = 20


def _verified_administered(user) -> list:
    return [org for org in organizations_administered(user=user) if org.status == OrganizationStatus.VERIFIED]


def public_name(pledge: Pledge) -> str:
    """How the public sees who pledged: "anonymous donor", or the username's first character."""
    if pledge.anonymous:
        return _("Anonymous donor")
    name = pledge.user.username
    return name[:1] + "**"


# --- 我的资源供给 ---------------------------------------------------------------------------------


@login_required
def matching_mine(request):
    """My offers: the offers, invitations, projects and pledges of the user's organizations, the
    user's own pledges and volunteer availability."""
    member_of = list(organizations_for_claiming(user=request.user))
    administered = _verified_administered(request.user)
    admin_ids = [org.pk for org in administered]
    volunteer = volunteer_for(user=request.user)
    invitations = list(invitations_for(organization_ids=admin_ids))
    if volunteer is not None:
        invitations += invitations_for_volunteer(volunteer=volunteer)
    context = {
        "member_of": member_of,
        "administered": administered,
        "offers": list(
            offers_of_organizations(organization_ids=[org.pk for org in member_of]).order_by("-pk")
        ),
        "invitations": invitations,
        "projects": list(projects_of_organizations(organization_ids=admin_ids)),
        "pledges_to_answer": list(pledges_to_answer(organization_ids=admin_ids)),
        "my_pledges": list(
            Pledge.objects.filter(user=request.user).select_related("project").order_by("-pk")[:50]
        ),
        "volunteer": volunteer,
        "decline_form": DeclineForm(),
    }
    return render(request, "matching/mine.html", context)


@login_required
def offer_new(request):
    organizations = _verified_administered(request.user)
    if not organizations:
        raise PermissionDenied
    form = OfferForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        organization = next(org for org in organizations if str(org.pk) == form.cleaned_data["organization"])
        try:
            offer = offer_create(organization=organization, actor=request.user, data=form.cleaned_offer())
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"region_prefixes": "regions"})
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your offer is posted. Below are the open needs it fits best."))
            return redirect("matching:offer", pk=offer.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "matching/offer_form.html", {"form": form}, status=status)


@login_required
def offer_detail(request, pk: int):
    """One of the user's organizations' offers, with the open needs it fits best and why."""
    member_of = [org.pk for org in organizations_for_claiming(user=request.user)]
    offer = get_object_or_404(offers_of_organizations(organization_ids=member_of), pk=pk)
    if request.method == "POST" and request.POST.get("action") == "close":
        try:
            offer_close(offer=offer, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The offer is closed."))
        return redirect("matching:offer", pk=offer.pk)
    page = None
    recommendations = []
    if offer.status == OfferStatus.OPEN:
        with planner_without_jit():
            page = RankedPaginator(RankedNeeds(offer), PAGE_SIZE).get_page(request.GET.get("page"))
            recommendations = recommend_needs(offer, page.object_list)
    return render(
        request,
        "matching/offer_detail.html",
        {"offer": offer, "page_obj": page, "recommendations": recommendations},
    )


@login_required
@require_POST
@redirect_on_refusal("matching:mine")
def invitation_accept_view(request, pk: int):
    line = get_object_or_404(AllocationLine, pk=pk)
    line = invitation_accept(line=line, actor=request.user)
    messages.success(
        request,
        _("You claimed need %(code)s. Find the claim in My claims to report the delivery.")
        % {"code": line.need.code},
    )
    return redirect("matching:mine")


@login_required
@require_POST
@redirect_on_refusal("matching:mine")
def invitation_decline_view(request, pk: int):
    line = get_object_or_404(AllocationLine, pk=pk)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    invitation_decline(line=line, actor=request.user, reason=reason)
    messages.success(request, _("Invitation declined; the caseworkers are told."))
    return redirect("matching:mine")


@login_required
def availability_view(request):
    volunteer = volunteer_for(user=request.user)
    if volunteer is None:
        raise Http404
    current = VolunteerAvailability.objects.filter(volunteer=volunteer).first()
    initial = (
        {
            "hours_per_week": current.hours_per_week,
            "skills": current.skills,
            "need_types": current.need_types,
            "regions": [(p + "0000")[:6] for p in current.region_prefixes],
        }
        if current
        else None
    )
    form = AvailabilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        availability_save(volunteer=volunteer, data=form.cleaned_availability())
        messages.success(request, _("Your availability is saved."))
        return redirect("matching:mine")
    status = 400 if request.method == "POST" else 200
    return render(request, "matching/availability.html", {"form": form}, status=status)


# --- 慈善项目 -----------------------------------------------------------------------------------


def organization_section(organization) -> tuple[str, dict]:
    """The organization's public page lists its open offers and charity projects
    (``organizations.hooks.organization_page_sections``, connected in ``apps``)."""
    offers, projects = activity_of_organization(organization=organization)
    return "matching/includes/organization_section.html", {"org_offers": offers, "org_projects": projects}


def project_list(request):
    page = Paginator(projects_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matching/projects.html", {"page_obj": page, "projects": page.object_list})


def _project_page(request, project: CharityProject, *, form=None, status: int = 200):
    pledges = [
        {"name": public_name(p), "amount": p.amount, "status": p.get_status_display(), "date": p.created_at}
        for p in pledges_public(project=project)[:100]
    ]
    context = {
        "project": project,
        "figures": project_figures(project),
        "pledges": pledges,
        "open": project_open_for_pledges(project),
        "form": form or PledgeForm(),
    }
    return render(request, "matching/project_detail.html", context, status=status)


def project_detail(request, pk: int):
    return _project_page(request, get_object_or_404(projects_public(), pk=pk))


@require_POST
def pledge_view(request, pk: int):
    project = get_object_or_404(projects_public(), pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("matching:project", args=[pk]))
    form = PledgeForm(request.POST)
    if form.is_valid():
        try:
            pledge_make(
                project=project,
                user=request.user,
                amount=form.cleaned_data["amount"],
                anonymous=form.cleaned_data["anonymous"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your pledge is recorded; give it to the organization directly, the portal "
                    "takes no payment."
                ),
            )
            return redirect("matching:project", pk=pk)
    return _project_page(request, project, form=form, status=400)


@login_required
def project_new(request):
    organizations = _verified_administered(request.user)
    if not organizations:
        raise PermissionDenied
    form = ProjectForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = next(org for org in organizations if str(org.pk) == data.pop("organization"))
        data["region_id"] = data.pop("region")
        try:
            project = project_open(organization=organization, actor=request.user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The project is open for pledges."))
            return redirect("matching:project", pk=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "matching/project_form.html", {"form": form}, status=status)


@login_required
@require_POST
@redirect_on_refusal("matching:mine")
def pledge_answer_view(request, pk: int, answer: str):
    if answer not in ("received", "lapsed"):
        raise Http404
    pledge = get_object_or_404(Pledge, pk=pk)
    pledge = pledge_answer(pledge=pledge, actor=request.user, received=answer == "received")
    messages.success(
        request, _("The pledge is recorded as %(status)s.") % {"status": pledge.get_status_display()}
    )
    return redirect("matching:mine")
