"""Views of the public site that are not Wagtail pages: sections still to come, the text-size
preference and the error pages."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, URLResolver, get_resolver, get_urlconf
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.http import safe_next

TEXT_SIZE_COOKIE = "text_size"
TEXT_SIZE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class Section:
    """One entry of the public site's navigation and of the home page's cards."""

    key: str
    path: str  # the public address, a contract in DESIGN.md §3, so links survive re-routing
    title: str | Promise
    summary: str | Promise  # one line on the home page card
    description: str | Promise  # what the section will do, shown while it is being built


SECTIONS: tuple[Section, ...] = (
    Section(
        key="needs",
        path="/needs/",
        title=_("Assistance needs"),
        summary=_(
            "Verified needs, with personal details removed, that charities and volunteers can take on."
        ),
        description=_(
            "Here we will publish the needs of people in difficulty that government departments "
            "have verified and that statutory assistance does not cover, with names and other "
            "personal details removed. Verified charities, volunteer teams and volunteers will be "
            "able to take a need on, help, and report back."
        ),
    ),
    Section(
        key="organizations",
        path="/organizations/",
        title=_("Charities"),
        summary=_("Verified charities, foundations and volunteer teams; register yours to take on needs."),
        description=_("The directory of verified charities, foundations and volunteer teams."),
    ),
    Section(
        key="notices",
        path="/notices/",
        title=_("Notices"),
        summary=_("Policy documents, explanations of policy, and public lists of assistance recipients."),
        description=_(
            "Here we will publish social-assistance policy documents and explanations of them, "
            "and public lists of assistance recipients, with identities partly hidden and the "
            "publicity period stated."
        ),
    ),
    Section(
        key="complaint-new",
        path="/complaints/new/",
        title=_("Complaints and suggestions"),
        summary=_("Report a problem with social assistance or make a suggestion online."),
        description=_(
            "Here you will be able to make a complaint or a suggestion about social assistance "
            "online. You will receive a reference number to follow its progress."
        ),
    ),
    Section(
        key="complaint-track",
        path="/complaints/track/",
        title=_("Track a complaint"),
        summary=_("See how your complaint is being handled, using its reference number."),
        description=_(
            "Here you will be able to see how your complaint or suggestion is being handled, "
            "and its outcome, using its reference number."
        ),
    ),
    Section(
        key="search",
        path="/search/",
        title=_("Search"),
        summary=_("Search needs, notices and policy documents."),
        description=_("Here you will be able to search assistance needs, notices and policy documents."),
    ),
    Section(
        key="stats",
        path="/stats/",
        title=_("Statistics"),
        summary=_("Summary figures on needs and on the help given."),
        description=_(
            "Here we will publish summary figures on assistance needs, on needs taken on and on "
            "the help given. To protect privacy, places with very few people are not shown on "
            "their own."
        ),
    ),
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def section_is_live(section: Section) -> bool:
    """A section is live once its address is served by something other than ``coming_soon``.

    Later work mounts the real views; the home page's 即将上线 badges then go away by themselves.
    """
    return section.path in live_section_paths()


def live_section_paths() -> frozenset[str]:
    """The addresses of the sections that are live (``section_is_live``) in the current URLconf."""
    return _live_paths(get_resolver(get_urlconf()))


@lru_cache(maxsize=8)
def _live_paths(resolver: URLResolver) -> frozenset[str]:
    """The addresses of the sections that ``resolver`` serves by something other than ``coming_soon``.

    Whether a section is live depends on the URLconf alone (not on pages or data), which is fixed
    for the life of a process: it is worked out once per resolver rather than by resolving every
    section's address on every page (the navigation is on all of them). A changed URLconf is a
    new resolver (``clear_url_caches()``, run when ``ROOT_URLCONF`` changes, as in tests), so it
    is seen at once.
    """
    live = set()
    for section in SECTIONS:
        try:
            match = resolver.resolve(section.path)
        except Resolver404:
            continue
        if match.func is not coming_soon:
            live.add(section.path)
    return frozenset(live)


def coming_soon(request: HttpRequest, section: str) -> HttpResponse:
    """A section whose features are still being built: say what it will do, and give the hotline."""
    return render(request, "cms/coming_soon.html", {"section": SECTIONS_BY_KEY[section]})


@require_POST
def set_text_size(request: HttpRequest) -> HttpResponse:
    """Remember the reader's text size (large or normal) for a year, then go back.

    A plain form post, so it works without JavaScript. ``next`` must point at this site: anything
    else sends the reader to the home page instead (no open redirect).
    """
    size = "large" if request.POST.get("text_size") == "large" else "normal"
    response = HttpResponseRedirect(safe_next(request, "/"))
    response.set_cookie(
        TEXT_SIZE_COOKIE,
        size,
        max_age=TEXT_SIZE_COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render 500.html without the request: no context processor, session or database may be
    needed to tell the reader that something went wrong."""
    context = {"portal_name": settings.PORTAL_NAME, "service_hotline": settings.SERVICE_HOTLINE}
    try:
        body = loader.get_template("500.html").render(context)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        body = "<h1>Server Error (500)</h1>"
    return HttpResponseServerError(body)
