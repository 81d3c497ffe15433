# ruff: noqa: E501 - EXPECTED is a table, one route per line, one column per caller
"""Who may open what: every route of the portal × every kind of caller (issue 4, item 11).

``EXPECTED`` is the table: one row per route (plus ``name#variant`` rows where another request
to the same route tells something more), one column per caller of
``tests.permission_world.ROLES``. ``PROBES`` says which request each row makes against the world
of ``tests.permission_world``. ``PermissionMatrix`` turns each cell into its own test,
``test_<route>__<role>``, and builds the world once for all of them.

A route of the project (its view lives in one of ``PROJECT_APPS``, or a Wagtail viewset of those
apps serves it) that has no row fails ``test_every_project_route_has_a_row``; a route of a
third-party package must be exempted, with the reason, in ``EXEMPT_PACKAGES``.

The columns: the anonymous, a registered volunteer, an administrator of organization A (which
holds the claim, its delivery and evidence), an administrator of organization B (which asks for
that claim), a caseworker of the need's county and one of another city, a supervisor of the
need's city, a portal administrator (the role, not a superuser), and the monitoring platform
calling with its ``Api-Key``.

``DEPARTMENT_EXPECTED`` is the department dimension (issue 9, item 4), the same cells for the
department handlers of ``tests.permission_world.DEPARTMENT_ROLES`` on every back-office row:
a handler sees their own department's objects inside their region, never another department's.

What a cell says:

* a number: the response's status (APIs answer 401 to the anonymous, 403 to a refused caller;
  pages and back-office objects outside the caller's scope answer 404, as if they did not exist);
* ``LOGIN``: a redirect to the login page (the anonymous, and non-staff at the back office);
* ``DENIED``: the back office's refusal, a redirect to its home page with an error message;
* ``REFUSED`` / ``DONE``: a redirect back with an error message / without one (page forms
  whose service says no with a message);
* ``SHOWN`` / ``HIDDEN``: a list page (200) that does / does not show the world's object of
  that row (the region check of lists).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.shortcuts import resolve_url
from django.test import TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.admin.viewsets import viewsets as wagtail_viewsets

from config.celery import app as celery_app
from tests.permission_world import DEPARTMENT_ROLES, ROLES, World, build_world

LOGIN = "LOGIN"
DENIED = "DENIED"
REFUSED = "REFUSED"
DONE = "DONE"
SHOWN = "SHOWN"
HIDDEN = "HIDDEN"

PROJECT_APPS = frozenset(
    {"accounts", "cms", "config", "core", "marketplace", "regions", "reports", "search", "supervision"}
)
# Routes of these packages need no row: the project mounts them but does not write their checks.
EXEMPT_PACKAGES = {
    "wagtail": "Wagtail's own admin, page serving and documents: Wagtail checks their permissions "
    "(its model permissions, which the portal's roles do not carry); the rows wagtailadmin_home "
    "and wagtail_serve stand for them",
    "django": "Django's generic views: i18n's set_language (a language cookie for anyone, no data "
    "behind it), and the login and 404-preview views Wagtail mounts with them",
    "drf_spectacular": "the OpenAPI schema and its viewer: public documentation of the public API",
}


@dataclass(frozen=True)
class Probe:
    """One request: ``method`` on the route with ``args``, ``query`` and ``data`` from the world."""

    method: str = "GET"
    args: Callable[[World], tuple] | None = None
    query: Callable[[World], str] | str = ""
    data: Callable[[World], dict] | dict | None = None
    json: bool = False
    marker: Callable[[World], str] | None = None  # what SHOWN/HIDDEN look for on a 200 page


def post(**kwargs) -> Probe:
    return Probe(method="POST", **kwargs)


def api_post(data: Callable[[World], dict] | dict | None = None, **kwargs) -> Probe:
    return Probe(method="POST", data=data or {}, json=True, **kwargs)


def pk_of(name: str) -> Callable[[World], tuple]:
    """The URL argument: the primary key of the world's object ``name``."""
    return lambda w: (getattr(w, name).pk,)


need = lambda w: (w.need.code,)  # noqa: E731 - URL arguments read as a table
claim_a, claim_b, transfer, org_a = pk_of("claim_a"), pk_of("claim_b"), pk_of("transfer"), pk_of("org_a")
source, override = pk_of("source"), pk_of("policy_override")
ticket, holiday, blocked = pk_of("ticket"), pk_of("holiday"), pk_of("blocked")
open311_key = pk_of("open311_key")
kind = lambda w: ("complaint",)  # noqa: E731
attachment = lambda w: (w.ticket.pk, w.attachment.pk)  # noqa: E731
report, report_outside = pk_of("report"), pk_of("report_outside")
volunteer = lambda w: (w.users["volunteer"].pk,)  # noqa: E731


def _hotline(world: World) -> int:
    """The pk of a hotline of the world's district (江岸区), made on first use in each cell."""
    from cms.models import HotlineEntry

    entry, __ = HotlineEntry.objects.get_or_create(
        region_id="420102",
        name="江岸区社会救助热线",
        defaults={"number": "027-82222222", "service_hours": "工作日"},
    )
    return entry.pk


PROBES: dict[str, Probe] = {
    # --- the public site and the signed-in user's pages ----------------------------------------
    "wagtail_serve": Probe(args=lambda w: ("",)),
    "healthz": Probe(),
    "set-text-size": post(data={"text_size": "large"}),
    "sitemap": Probe(),
    "complaint-new": Probe(),
    "complaint-track": Probe(),
    "search": Probe(),
    "stats": Probe(),
    "stats-csv": Probe(args=lambda w: ("kind-city",)),
    "needs:list": Probe(),
    "needs:detail": Probe(args=need),
    "needs:detail#held": Probe(args=lambda w: (w.held.code,)),
    "claims:claim": post(args=need, data={"amount": "100.00"}),
    "claims:transfer": post(
        args=lambda w: (w.need_b.code,),
        data=lambda w: {"claim": w.claim_b.pk, "organization": w.org_a.pk, "reason": "我们可以接手"},
    ),
    "claims:mine": Probe(marker=lambda w: w.need.code),
    "claims:renew": post(args=claim_a),
    "claims:withdraw": post(args=claim_b, data={"reason": "人手不足"}),
    "claims:situation": Probe(args=claim_a),
    "claims:transfer-accept": post(args=transfer),
    "claims:transfer-decline": post(args=transfer, data={"note": "我们会按时交付"}),
    "delivery:deliver": Probe(args=claim_a),
    "delivery:evidence": Probe(args=lambda w: (w.evidence.pk,)),
    "organizations:directory": Probe(),
    "organizations:detail": Probe(args=org_a),
    "organizations:register": Probe(),
    "organizations:mine": Probe(),
    "organizations:join": post(args=org_a),
    "organizations:invite": post(args=org_a),
    "organizations:membership-action": post(args=lambda w: (w.membership.pk, "approve")),
    "organizations:volunteer-register": Probe(),
    "organizations:volunteer-me": Probe(),
    "account:signup": Probe(),
    "account:login": Probe(),
    "account:logout": post(),
    "account:password-reset": Probe(),
    "account:password-reset-sent": Probe(),
    "account:password-reset-confirm": Probe(args=lambda w: ("MQ", "no-such-token")),
    "account:profile": Probe(),
    "account:verify-email": Probe(args=lambda w: ("no-such-token",)),
    "account:verify-email-resend": post(),
    "account:email-change": post(data={"email": "taken@example.org", "password": "wrong"}),
    "account:tokens": post(data={"name": "脚本"}),
    "account:token-revoke": post(args=lambda w: (w.token.pk,)),
    "account:notifications": Probe(),
    "account:notifications-read-all": post(),
    "account:notification-read": post(args=lambda w: (w.notification.pk,)),
    "account:notification-open": Probe(args=lambda w: (w.notification.pk,)),
    # --- the API ---------------------------------------------------------------------------------
    "region-list": Probe(),
    "api-not-found": Probe(args=lambda w: ("nothing-here",)),
    "account-api:me": Probe(),
    "needs-api:list": Probe(),
    "needs-api:detail": Probe(args=need),
    "needs-api:detail#held": Probe(args=lambda w: (w.held.code,)),
    "organizations-api:list": Probe(),
    "organizations-api:detail": Probe(args=org_a),
    "search-api:search": Probe(),
    "claims-api:need-claims": Probe(args=need),
    "claims-api:need-claims#post": api_post({"amount": "100.00"}, args=need),
    "claims-api:renew": api_post(args=claim_a),
    "claims-api:withdraw": api_post({"reason": "人手不足"}, args=claim_b),
    "claims-api:transfers": api_post({"reason": "我们可以接手"}, args=claim_b),
    "claims-api:transfer-accept": api_post(args=transfer),
    "claims-api:transfer-decline": api_post(args=transfer),
    "delivery-api:claim-deliveries": Probe(args=claim_a),
    "needs-api:intake": api_post({"records": []}),
    "needs-api:intake-withdraw": Probe(method="DELETE", args=lambda w: (w.held.source_ref,)),
    "delivery-api:confirmations": api_post(
        lambda w: {"source_ref": w.need.source_ref, "claim_id": w.claim_a.pk}
    ),
    "needs-api:feedback": Probe(),
    # --- Open311 GeoReport v2: public reads; filing needs an Open311 api_key (none here) ---------
    "open311:discovery": Probe(args=lambda w: ("json",)),
    "open311:services": Probe(args=lambda w: ("xml",)),
    "open311:service": Probe(args=lambda w: ("complaint", "json")),
    "open311:requests": Probe(args=lambda w: ("json",)),
    "open311:requests#post": post(args=lambda w: ("json",), data={"service_code": "complaint"}),
    "open311:request": Probe(args=lambda w: ("NO-SUCH-TICKET", "xml")),
    "open311:not-found": Probe(args=lambda w: ("nothing-here.json",)),
    # --- the back office (Wagtail admin) ----------------------------------------------------------
    "wagtailadmin_home": Probe(),
    "needs_review:index": Probe(marker=lambda w: w.held.code),
    "needs_review:need": Probe(args=lambda w: (w.held.code,)),
    "needs_spreadsheet:index": Probe(),
    "publicity_lists:import": Probe(args=pk_of("publicity_list")),
    "needs_spreadsheet:template": Probe(),
    "organizations_admin:index": Probe(query="?status=all", marker=lambda w: w.org_a.name),
    "organizations_admin:detail": Probe(args=org_a),
    "organizations_admin:certificate": Probe(args=org_a),
    "claims_transfers:index": Probe(marker=lambda w: w.need_b.code),
    "claims_transfers:decide": Probe(args=lambda w: (w.escalated.pk,)),
    "claims_situations:index": Probe(marker=lambda w: w.need_b.code),
    "claims_situations:detail": Probe(args=lambda w: (w.situation.pk,)),
    "delivery_verification:index": Probe(marker=lambda w: w.need.code),
    "delivery_verification:detail": Probe(args=lambda w: (w.delivery.pk,)),
    "delivery_chain:index": Probe(
        query=lambda w: f"?q={w.need.household_token}", marker=lambda w: w.need.code
    ),
    "delivery_chain:need": Probe(args=need),
    # The household's chain reached through its education need: the page shows the household's
    # civil-affairs need (``need``) only to those who may see civil affairs' part of the chain.
    "delivery_chain:index#education": Probe(
        query=lambda w: f"?q={w.need.household_token}", marker=lambda w: w.schooling.code
    ),
    "delivery_chain:need#education": Probe(args=lambda w: (w.schooling.code,), marker=lambda w: w.need.code),
    "delivery_duplicates:index": Probe(marker=lambda w: w.need.code),
    "delivery_duplicates:resolve": post(args=lambda w: (w.alert.pk,)),
    "delivery_expired:index": Probe(marker=lambda w: w.expired.code),
    "needs_feedback:index": Probe(),
    "accounts_sensitive_reads:index": Probe(),
    "accounts_change_log:index": Probe(),
    "needs_sourcesystem:index": Probe(),
    "needs_sourcesystem:index_results": Probe(),
    "needs_sourcesystem:add": Probe(),
    "needs_sourcesystem:edit": Probe(args=source),
    "needs_sourcesystem:delete": Probe(args=source),
    "needs_sourcesystem:history": Probe(args=source),
    "needs_sourcesystem:history_results": Probe(args=source),
    "needs_sourcesystem:usage": Probe(args=source),
    "needs_sourcesystem:rotate_key": Probe(args=source),
    "needs_policyoverride:index": Probe(),
    "needs_policyoverride:index_results": Probe(),
    "needs_policyoverride:add": Probe(),
    "needs_policyoverride:edit": Probe(args=override),
    "needs_policyoverride:delete": Probe(args=override),
    "needs_policyoverride:history": Probe(args=override),
    "needs_policyoverride:history_results": Probe(args=override),
    "needs_policyoverride:usage": Probe(args=override),
    "supervision_tickets:index": Probe(marker=lambda w: w.ticket.pk),
    "supervision_tickets:new": Probe(),
    "supervision_tickets:detail": Probe(args=ticket),
    "supervision_tickets:attachment": Probe(args=attachment),
    "supervision_kinds:index": Probe(),
    "supervision_kinds:index_results": Probe(),
    "supervision_kinds:add": Probe(),
    "supervision_kinds:edit": Probe(args=kind),
    "supervision_kinds:delete": Probe(args=kind),
    "supervision_kinds:history": Probe(args=kind),
    "supervision_kinds:history_results": Probe(args=kind),
    "supervision_kinds:usage": Probe(args=kind),
    "supervision_holidays:index": Probe(),
    "supervision_holidays:index_results": Probe(),
    "supervision_holidays:add": Probe(),
    "supervision_holidays:edit": Probe(args=holiday),
    "supervision_holidays:delete": Probe(args=holiday),
    "supervision_holidays:history": Probe(args=holiday),
    "supervision_holidays:history_results": Probe(args=holiday),
    "supervision_holidays:usage": Probe(args=holiday),
    "supervision_blocked:index": Probe(),
    "supervision_blocked:index_results": Probe(),
    "supervision_blocked:add": Probe(),
    "supervision_blocked:edit": Probe(args=blocked),
    "supervision_blocked:delete": Probe(args=blocked),
    "supervision_blocked:history": Probe(args=blocked),
    "supervision_blocked:history_results": Probe(args=blocked),
    "supervision_blocked:usage": Probe(args=blocked),
    "open311_keys:index": Probe(marker=lambda w: w.open311_key.key_prefix),
    "open311_keys:index_results": Probe(),
    "open311_keys:add": Probe(),
    "open311_keys:edit": Probe(args=open311_key),
    "open311_keys:delete": Probe(args=open311_key),
    "open311_keys:history": Probe(args=open311_key),
    "open311_keys:history_results": Probe(args=open311_key),
    "open311_keys:usage": Probe(args=open311_key),
    "open311_keys:revoke": Probe(args=open311_key),
    "open311_keys:revoke#post": post(args=open311_key),
    "reports_admin:index": Probe(marker=lambda w: w.report.scope_name + "</a>"),
    "reports_admin:index#outside": Probe(marker=lambda w: w.report_outside.scope_name + "</a>"),
    "reports_admin:index#request": post(data={"scope": "420100", "period": "2026-Q3"}),
    "reports_admin:schedules": Probe(),
    "reports_admin:schedules#add": post(data={"action": "add", "city": "420100", "frequency": "monthly"}),
    "reports_admin:detail": Probe(args=report),
    "reports_admin:detail#outside": Probe(args=report_outside),
    "reports_admin:progress": Probe(args=report),
    "reports_admin:pdf": Probe(args=report),
    "reports_admin:pdf#outside": Probe(args=report_outside),
    "reports_admin:preview": Probe(args=report),
    "reports_admin:xlsx": Probe(args=report),
    "reports_admin:csv": Probe(args=report),
    "report-verify": Probe(args=lambda w: (w.report.public_id,)),
    # The query makes the world's hotline before the request; the marker is its number.
    "wagtailsnippets_cms_hotlineentry:list": Probe(
        query=lambda w: _hotline(w) and "", marker=lambda w: "027-82222222"
    ),
    "wagtailsnippets_cms_hotlineentry:list_results": Probe(
        query=lambda w: _hotline(w) and "", marker=lambda w: "027-82222222"
    ),
    "wagtailsnippets_cms_hotlineentry:add": Probe(),
    "wagtailsnippets_cms_hotlineentry:edit": Probe(args=lambda w: (_hotline(w),)),
    "wagtailsnippets_cms_hotlineentry:delete": Probe(args=lambda w: (_hotline(w),)),
    "wagtailsnippets_cms_hotlineentry:copy": Probe(args=lambda w: (_hotline(w),)),
    "wagtailsnippets_cms_hotlineentry:history": Probe(args=lambda w: (_hotline(w),)),
    "wagtailsnippets_cms_hotlineentry:history_results": Probe(args=lambda w: (_hotline(w),)),
    "wagtailsnippets_cms_hotlineentry:usage": Probe(args=lambda w: (_hotline(w),)),
    "matching:mine": Probe(),
    "matching:offer-new": Probe(),
    "matching:offer": Probe(args=pk_of("offer")),
    "matching:invitation-accept": post(args=pk_of("invitation")),
    "matching:invitation-decline": post(args=pk_of("invitation"), data={"reason": "人手不足"}),
    "matching:availability": Probe(),
    "matching:projects": Probe(),
    "matching:project-new": Probe(),
    "matching:project": Probe(args=pk_of("project")),
    "matching:pledge": post(args=pk_of("project"), data={"amount": "10"}),
    "matching:pledge-answer": post(args=lambda w: (w.pledge.pk, "received")),
    "matching-api:offers": Probe(),
    "matching-api:offer": Probe(args=pk_of("offer")),
    "matching-api:recommendations": Probe(args=pk_of("offer")),
    "matching_allocation:index": Probe(),
    "matching_allocation:need": Probe(args=need),
    "matching_statutory:index": Probe(),
    "wagtailusers_users:index": Probe(),
    "wagtailusers_users:index_results": Probe(),
    "wagtailusers_users:add": Probe(),
    "wagtailusers_users:edit": Probe(args=volunteer),
    "wagtailusers_users:copy": Probe(args=volunteer),
    "wagtailusers_users:delete": Probe(args=volunteer),
    "wagtailusers_users:history": Probe(args=volunteer),
    "wagtailusers_users:history_results": Probe(args=volunteer),
    "wagtailusers_users:usage": Probe(args=volunteer),
}

# fmt: off
EXPECTED: dict[str, tuple] = {
    #                                              anon     volunt.  member_a member_b cw_in    cw_out   superv.  admin    source
    # --- the public site and the signed-in user's pages
    "wagtail_serve":                              (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "healthz":                                    (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "set-text-size":                              (DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "sitemap":                                    (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "complaint-new":                              (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "complaint-track":                            (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "search":                                     (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "stats":                                      (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "stats-csv":                                  (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "needs:list":                                      (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "needs:detail":                                (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "needs:detail#held":                           (404,     404,     404,     404,     404,     404,     404,     404,     404),
    "claims:claim":                                 (LOGIN,   403,     409,     DONE,    403,     403,     403,     403,     LOGIN),
    "claims:transfer":                        (LOGIN,   REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "claims:mine":                                (LOGIN,   HIDDEN,  SHOWN,   SHOWN,   HIDDEN,  HIDDEN,  HIDDEN,  HIDDEN,  LOGIN),
    "claims:renew":                                (LOGIN,   REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "claims:withdraw":                             (LOGIN,   REFUSED, REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "claims:situation":                            (LOGIN,   403,     200,     403,     403,     403,     403,     403,     LOGIN),
    "claims:transfer-accept":                            (LOGIN,   REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "claims:transfer-decline":                           (LOGIN,   REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "delivery:deliver":                              (LOGIN,   404,     200,     404,     404,     404,     404,     404,     LOGIN),
    "delivery:evidence":                                   (LOGIN,   404,     200,     404,     200,     404,     404,     200,     LOGIN),
    "organizations:directory":                              (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "organizations:detail":                        (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "organizations:register":                      (LOGIN,   200,     200,     200,     REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "organizations:mine":                         (LOGIN,   200,     200,     200,     200,     200,     200,     200,     LOGIN),
    "organizations:join":                          (LOGIN,   REFUSED, REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "organizations:invite":                        (LOGIN,   404,     400,     404,     404,     404,     404,     404,     LOGIN),
    "organizations:membership-action":                          (LOGIN,   404,     DONE,    404,     404,     404,     404,     DONE,    LOGIN),
    "organizations:volunteer-register":                         (LOGIN,   DONE,    200,     200,     REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "organizations:volunteer-me":                               (LOGIN,   200,     DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    LOGIN),
    "matching:mine":                              (LOGIN,   200,     200,     200,     200,     200,     200,     200,     LOGIN),
    "matching:offer-new":                         (LOGIN,   403,     200,     200,     403,     403,     403,     403,     LOGIN),
    "matching:offer":                             (LOGIN,   404,     200,     404,     404,     404,     404,     404,     LOGIN),
    "matching:invitation-accept":                 (LOGIN,   REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "matching:invitation-decline":                (LOGIN,   REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "matching:availability":                      (LOGIN,   200,     404,     404,     404,     404,     404,     404,     LOGIN),
    "matching:projects":                          (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "matching:project-new":                       (LOGIN,   403,     200,     200,     403,     403,     403,     403,     LOGIN),
    "matching:project":                           (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "matching:pledge":                            (LOGIN,   DONE,    DONE,    DONE,    400,     400,     400,     400,     LOGIN),
    "matching:pledge-answer":                     (LOGIN,   REFUSED, DONE,    REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, LOGIN),
    "account:signup":                             (200,     DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    200),
    "account:login":                              (200,     DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    200),
    "account:logout":                             (DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE),
    "account:password-reset":                     (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "account:password-reset-sent":                (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "account:password-reset-confirm":             (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "account:profile":                            (LOGIN,   200,     200,     200,     200,     200,     200,     200,     LOGIN),
    "account:verify-email":                       (400,     400,     400,     400,     400,     400,     400,     400,     400),
    "account:verify-email-resend":                (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    LOGIN),
    "account:email-change":                       (LOGIN,   400,     400,     400,     400,     400,     400,     400,     LOGIN),
    "account:tokens":                             (LOGIN,   200,     200,     200,     200,     200,     200,     200,     LOGIN),
    "account:token-revoke":                       (LOGIN,   404,     DONE,    404,     404,     404,     404,     404,     LOGIN),
    "account:notifications":                      (LOGIN,   200,     200,     200,     200,     200,     200,     200,     LOGIN),
    "account:notifications-read-all":             (LOGIN,   DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    DONE,    LOGIN),
    "account:notification-read":                  (LOGIN,   404,     DONE,    404,     404,     404,     404,     404,     LOGIN),
    "account:notification-open":                  (LOGIN,   404,     DONE,    404,     404,     404,     404,     404,     LOGIN),
    # --- the API
    "region-list":                                (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "api-not-found":                              (404,     404,     404,     404,     404,     404,     404,     404,     404),
    "account-api:me":                             (401,     200,     200,     200,     200,     200,     200,     200,     401),
    "needs-api:list":                              (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "needs-api:detail":                            (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "needs-api:detail#held":                       (404,     404,     404,     404,     404,     404,     404,     404,     404),
    "organizations-api:list":                      (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "organizations-api:detail":                    (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "search-api:search":                           (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "claims-api:need-claims":                            (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "claims-api:need-claims#post":                       (401,     403,     409,     201,     403,     403,     403,     403,     401),
    "claims-api:renew":                            (401,     403,     200,     403,     403,     403,     403,     403,     401),
    "claims-api:withdraw":                         (401,     403,     403,     200,     403,     403,     403,     403,     401),
    "claims-api:transfers":                        (401,     403,     201,     409,     403,     403,     403,     403,     401),
    "claims-api:transfer-accept":                        (401,     403,     200,     403,     403,     403,     403,     403,     401),
    "claims-api:transfer-decline":                       (401,     403,     200,     403,     403,     403,     403,     403,     401),
    "delivery-api:claim-deliveries":                       (401,     404,     200,     404,     404,     404,     404,     404,     401),
    "matching-api:offers":                        (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "matching-api:offer":                         (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "matching-api:recommendations":               (401,     403,     200,     403,     200,     200,     403,     200,     401),
    "needs-api:intake":                               (401,     401,     401,     401,     401,     401,     401,     401,     400),
    "needs-api:intake-withdraw":                       (401,     401,     401,     401,     401,     401,     401,     401,     200),
    "delivery-api:confirmations":                       (401,     401,     401,     401,     401,     401,     401,     401,     200),
    "needs-api:feedback":                          (401,     401,     401,     401,     401,     401,     401,     401,     200),
    # --- Open311: the reads are public; POST without an Open311 api_key is refused (403, the spec's code)
    "open311:discovery":                          (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "open311:services":                           (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "open311:service":                            (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "open311:requests":                           (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "open311:requests#post":                      (403,     403,     403,     403,     403,     403,     403,     403,     403),
    "open311:request":                            (404,     404,     404,     404,     404,     404,     404,     404,     404),
    "open311:not-found":                          (404,     404,     404,     404,     404,     404,     404,     404,     404),
    # --- the back office
    "wagtailadmin_home":                          (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     200,     200,     200,     LOGIN),
    "needs_review:index":                   (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  DENIED,  SHOWN,   LOGIN),
    "needs_review:need":                    (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     DENIED,  200,     LOGIN),
    "needs_spreadsheet:index":                   (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     200,     DENIED,  200,     LOGIN),
    # Whoever may edit the list's page (Wagtail's page permissions; the notices' workflow grants them).
    "publicity_lists:import":                    (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "needs_spreadsheet:template":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     200,     DENIED,  200,     LOGIN),
    "organizations_admin:index":            (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  DENIED,  SHOWN,   LOGIN),
    "organizations_admin:detail":           (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     DENIED,  200,     LOGIN),
    "organizations_admin:certificate":      (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     DENIED,  200,     LOGIN),
    "claims_transfers:index":          (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  DENIED,  SHOWN,   LOGIN),
    "claims_transfers:decide":         (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     DENIED,  200,     LOGIN),
    "claims_situations:index":         (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  DENIED,  SHOWN,   LOGIN),
    "claims_situations:detail":        (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     DENIED,  200,     LOGIN),
    "delivery_verification:index":                 (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  DENIED,  SHOWN,   LOGIN),
    "delivery_verification:detail":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     DENIED,  200,     LOGIN),
    "delivery_chain:index":                    (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  SHOWN,   SHOWN,   LOGIN),
    "delivery_chain:need":                     (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     200,     200,     LOGIN),
    "delivery_chain:index#education":          (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  SHOWN,   SHOWN,   LOGIN),
    "delivery_chain:need#education":           (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   404,     SHOWN,   SHOWN,   LOGIN),
    "delivery_duplicates:index":               (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  DENIED,  SHOWN,   LOGIN),
    "delivery_duplicates:resolve":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DONE,    404,     DENIED,  DONE,    LOGIN),
    "delivery_expired:index":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  SHOWN,   SHOWN,   LOGIN),
    "matching_allocation:index":               (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     200,     DENIED,  200,     LOGIN),
    "matching_allocation:need":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     DENIED,  200,     LOGIN),
    "matching_statutory:index":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     200,     DENIED,  200,     LOGIN),
    "needs_feedback:index":                 (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "accounts_sensitive_reads:index":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "accounts_change_log:index":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_sourcesystem:index":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_sourcesystem:index_results":     (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_sourcesystem:add":               (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_sourcesystem:edit":              (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_sourcesystem:delete":            (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "needs_sourcesystem:history":           (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_sourcesystem:history_results":   (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_sourcesystem:usage":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_sourcesystem:rotate_key":        (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_policyoverride:index":           (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_policyoverride:index_results":   (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_policyoverride:add":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_policyoverride:edit":            (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_policyoverride:delete":          (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_policyoverride:history":         (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_policyoverride:history_results": (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "needs_policyoverride:usage":           (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    # --- tickets (supervision)
    "supervision_tickets:index":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  SHOWN,   SHOWN,   LOGIN),
    "supervision_tickets:new":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     200,     200,     200,     LOGIN),
    "supervision_tickets:detail":               (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     200,     200,     LOGIN),
    "supervision_tickets:attachment":           (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     404,     200,     200,     LOGIN),
    "supervision_kinds:index":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_kinds:index_results":          (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_kinds:add":                    (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_kinds:edit":                   (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_kinds:delete":                 (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "supervision_kinds:history":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_kinds:history_results":        (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_kinds:usage":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_holidays:index":               (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_holidays:index_results":       (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_holidays:add":                 (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_holidays:edit":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_holidays:delete":              (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_holidays:history":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_holidays:history_results":     (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_holidays:usage":               (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_blocked:index":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_blocked:index_results":        (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_blocked:add":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_blocked:edit":                 (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "supervision_blocked:delete":               (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_blocked:history":              (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_blocked:history_results":      (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "supervision_blocked:usage":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    # Open311 clients' API keys: administrators issue, list and revoke them; a key is never deleted.
    "open311_keys:index":                       (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  SHOWN,   LOGIN),
    "open311_keys:index_results":               (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "open311_keys:add":                         (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "open311_keys:edit":                        (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "open311_keys:delete":                      (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "open311_keys:history":                     (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "open311_keys:history_results":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "open311_keys:usage":                       (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "open311_keys:revoke":                      (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  200,     LOGIN),
    "open311_keys:revoke#post":                 (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DONE,    LOGIN),
    # The hotline directory: each region's staff edit their own region's lines (the world's is in 江岸区).
    "wagtailsnippets_cms_hotlineentry:list":            (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  SHOWN,   SHOWN,   LOGIN),
    "wagtailsnippets_cms_hotlineentry:list_results":    (LOGIN,   LOGIN,   LOGIN,   LOGIN,   SHOWN,   HIDDEN,  SHOWN,   SHOWN,   LOGIN),
    "wagtailsnippets_cms_hotlineentry:add":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     200,     200,     200,     LOGIN),
    "wagtailsnippets_cms_hotlineentry:edit":            (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     DENIED,  200,     200,     LOGIN),
    "wagtailsnippets_cms_hotlineentry:delete":          (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     DENIED,  200,     200,     LOGIN),
    "wagtailsnippets_cms_hotlineentry:copy":            (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     DENIED,  200,     200,     LOGIN),
    "wagtailsnippets_cms_hotlineentry:history":         (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     DENIED,  200,     200,     LOGIN),
    "wagtailsnippets_cms_hotlineentry:history_results": (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     DENIED,  200,     200,     LOGIN),
    "wagtailsnippets_cms_hotlineentry:usage":           (LOGIN,   LOGIN,   LOGIN,   LOGIN,   200,     DENIED,  200,     200,     LOGIN),
    # (the project's user viewset, accounts.viewsets)
    "reports_admin:index":                      (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  SHOWN,   SHOWN,   LOGIN),
    "reports_admin:index#outside":              (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  HIDDEN,  SHOWN,   LOGIN),
    "reports_admin:index#request":              (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DONE,    DONE,    LOGIN),
    "reports_admin:schedules":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  200,     200,     LOGIN),
    "reports_admin:schedules#add":              (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DONE,    DONE,    LOGIN),
    "reports_admin:detail":                     (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  200,     200,     LOGIN),
    "reports_admin:detail#outside":             (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  404,     200,     LOGIN),
    "reports_admin:progress":                   (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  200,     200,     LOGIN),
    "reports_admin:pdf":                        (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  200,     200,     LOGIN),
    "reports_admin:pdf#outside":                (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  404,     200,     LOGIN),
    "reports_admin:preview":                    (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  200,     200,     LOGIN),
    "reports_admin:xlsx":                       (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  200,     200,     LOGIN),
    "reports_admin:csv":                        (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  200,     200,     LOGIN),
    "report-verify":                            (200,     200,     200,     200,     200,     200,     200,     200,     200),
    "wagtailusers_users:index":                   (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "wagtailusers_users:index_results":           (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "wagtailusers_users:add":                     (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "wagtailusers_users:edit":                    (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "wagtailusers_users:copy":                    (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "wagtailusers_users:delete":                  (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "wagtailusers_users:history":                 (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "wagtailusers_users:history_results":         (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
    "wagtailusers_users:usage":                   (LOGIN,   LOGIN,   LOGIN,   LOGIN,   DENIED,  DENIED,  DENIED,  DENIED,  LOGIN),
}

# The department dimension (issue 9, item 4): department handlers on every back-office route. A
# handler acts only on their own department's objects inside their region (accounts.scoping):
# civil affairs' handler over Wuhan sees the world's needs and their chain, education's sees only
# the household's education need, civil affairs' handler in Yichang sees nothing of Wuhan.
DEPARTMENT_EXPECTED: dict[str, tuple] = {
    #                                              civil    educat.  outside
    "wagtailadmin_home":                          (200,     200,     200),
    "needs_review:index":                   (DENIED,  DENIED,  DENIED),
    "needs_review:need":                    (DENIED,  DENIED,  DENIED),
    "needs_spreadsheet:index":                   (DENIED,  DENIED,  DENIED),
    "publicity_lists:import":                    (DENIED,  DENIED,  DENIED),
    "needs_spreadsheet:template":                (DENIED,  DENIED,  DENIED),
    "organizations_admin:index":            (DENIED,  DENIED,  DENIED),
    "organizations_admin:detail":           (DENIED,  DENIED,  DENIED),
    "organizations_admin:certificate":      (DENIED,  DENIED,  DENIED),
    "claims_transfers:index":          (DENIED,  DENIED,  DENIED),
    "claims_transfers:decide":         (DENIED,  DENIED,  DENIED),
    "claims_situations:index":         (DENIED,  DENIED,  DENIED),
    "claims_situations:detail":        (DENIED,  DENIED,  DENIED),
    "delivery_verification:index":                 (DENIED,  DENIED,  DENIED),
    "delivery_verification:detail":                (DENIED,  DENIED,  DENIED),
    "delivery_chain:index":                    (SHOWN,   HIDDEN,  HIDDEN),
    "delivery_chain:need":                     (200,     404,     404),
    "delivery_chain:index#education":          (HIDDEN,  SHOWN,   HIDDEN),
    "delivery_chain:need#education":           (404,     HIDDEN,  404),
    "delivery_duplicates:index":               (DENIED,  DENIED,  DENIED),
    "delivery_duplicates:resolve":             (DENIED,  DENIED,  DENIED),
    "delivery_expired:index":                  (SHOWN,   HIDDEN,  HIDDEN),
    "matching_allocation:index":               (DENIED,  DENIED,  DENIED),
    "matching_allocation:need":                (DENIED,  DENIED,  DENIED),
    "matching_statutory:index":                (200,     DENIED,  200),
    "needs_feedback:index":                 (DENIED,  DENIED,  DENIED),
    "accounts_sensitive_reads:index":             (DENIED,  DENIED,  DENIED),
    "accounts_change_log:index":                  (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:index":             (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:index_results":     (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:add":               (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:edit":              (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:delete":            (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:history":           (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:history_results":   (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:usage":             (DENIED,  DENIED,  DENIED),
    "needs_sourcesystem:rotate_key":        (DENIED,  DENIED,  DENIED),
    "needs_policyoverride:index":           (DENIED,  DENIED,  DENIED),
    "needs_policyoverride:index_results":   (DENIED,  DENIED,  DENIED),
    "needs_policyoverride:add":             (DENIED,  DENIED,  DENIED),
    "needs_policyoverride:edit":            (DENIED,  DENIED,  DENIED),
    "needs_policyoverride:delete":          (DENIED,  DENIED,  DENIED),
    "needs_policyoverride:history":         (DENIED,  DENIED,  DENIED),
    "needs_policyoverride:history_results": (DENIED,  DENIED,  DENIED),
    "needs_policyoverride:usage":           (DENIED,  DENIED,  DENIED),
    "supervision_tickets:index":                (SHOWN,   HIDDEN,  HIDDEN),
    "supervision_tickets:new":                  (DENIED,  DENIED,  DENIED),
    "supervision_tickets:detail":               (200,     404,     404),
    "supervision_tickets:attachment":           (200,     404,     404),
    "supervision_kinds:index":                  (DENIED,  DENIED,  DENIED),
    "supervision_kinds:index_results":          (DENIED,  DENIED,  DENIED),
    "supervision_kinds:add":                    (DENIED,  DENIED,  DENIED),
    "supervision_kinds:edit":                   (DENIED,  DENIED,  DENIED),
    "supervision_kinds:delete":                 (DENIED,  DENIED,  DENIED),
    "supervision_kinds:history":                (DENIED,  DENIED,  DENIED),
    "supervision_kinds:history_results":        (DENIED,  DENIED,  DENIED),
    "supervision_kinds:usage":                  (DENIED,  DENIED,  DENIED),
    "supervision_holidays:index":               (DENIED,  DENIED,  DENIED),
    "supervision_holidays:index_results":       (DENIED,  DENIED,  DENIED),
    "supervision_holidays:add":                 (DENIED,  DENIED,  DENIED),
    "supervision_holidays:edit":                (DENIED,  DENIED,  DENIED),
    "supervision_holidays:delete":              (DENIED,  DENIED,  DENIED),
    "supervision_holidays:history":             (DENIED,  DENIED,  DENIED),
    "supervision_holidays:history_results":     (DENIED,  DENIED,  DENIED),
    "supervision_holidays:usage":               (DENIED,  DENIED,  DENIED),
    "supervision_blocked:index":                (DENIED,  DENIED,  DENIED),
    "supervision_blocked:index_results":        (DENIED,  DENIED,  DENIED),
    "supervision_blocked:add":                  (DENIED,  DENIED,  DENIED),
    "supervision_blocked:edit":                 (DENIED,  DENIED,  DENIED),
    "supervision_blocked:delete":               (DENIED,  DENIED,  DENIED),
    "supervision_blocked:history":              (DENIED,  DENIED,  DENIED),
    "supervision_blocked:history_results":      (DENIED,  DENIED,  DENIED),
    "supervision_blocked:usage":                (DENIED,  DENIED,  DENIED),
    "open311_keys:index":                       (DENIED,  DENIED,  DENIED),
    "open311_keys:index_results":               (DENIED,  DENIED,  DENIED),
    "open311_keys:add":                         (DENIED,  DENIED,  DENIED),
    "open311_keys:edit":                        (DENIED,  DENIED,  DENIED),
    "open311_keys:delete":                      (DENIED,  DENIED,  DENIED),
    "open311_keys:history":                     (DENIED,  DENIED,  DENIED),
    "open311_keys:history_results":             (DENIED,  DENIED,  DENIED),
    "open311_keys:usage":                       (DENIED,  DENIED,  DENIED),
    "open311_keys:revoke":                      (DENIED,  DENIED,  DENIED),
    "open311_keys:revoke#post":                 (DENIED,  DENIED,  DENIED),
    "reports_admin:index":                  (DENIED,  DENIED,  DENIED),
    "reports_admin:index#outside":          (DENIED,  DENIED,  DENIED),
    "reports_admin:index#request":          (DENIED,  DENIED,  DENIED),
    "reports_admin:schedules":              (DENIED,  DENIED,  DENIED),
    "reports_admin:schedules#add":          (DENIED,  DENIED,  DENIED),
    "reports_admin:detail":                 (DENIED,  DENIED,  DENIED),
    "reports_admin:detail#outside":         (DENIED,  DENIED,  DENIED),
    "reports_admin:progress":               (DENIED,  DENIED,  DENIED),
    "reports_admin:pdf":                    (DENIED,  DENIED,  DENIED),
    "reports_admin:pdf#outside":            (DENIED,  DENIED,  DENIED),
    "reports_admin:preview":                (DENIED,  DENIED,  DENIED),
    "reports_admin:xlsx":                   (DENIED,  DENIED,  DENIED),
    "reports_admin:csv":                    (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:list":            (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:list_results":    (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:add":             (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:edit":            (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:delete":          (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:copy":            (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:history":         (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:history_results": (DENIED,  DENIED,  DENIED),
    "wagtailsnippets_cms_hotlineentry:usage":           (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:index":                   (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:index_results":           (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:add":                     (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:edit":                    (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:copy":                    (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:delete":                  (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:history":                 (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:history_results":         (DENIED,  DENIED,  DENIED),
    "wagtailusers_users:usage":                   (DENIED,  DENIED,  DENIED),
}
# fmt: on


# --- the routes ----------------------------------------------------------------------------------


def _package(obj) -> str:
    return (getattr(obj, "__module__", None) or "").split(".")[0]


def _view_package(pattern: URLPattern) -> str:
    callback = pattern.callback
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    return _package(view)


def all_routes() -> list[tuple[str, str, str]]:
    """(name with namespaces, pattern, view's top-level package) of every URL pattern."""
    found = []

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                name = ":".join((*namespaces, entry.name)) if entry.name else ""
                found.append((name or pattern, pattern, _view_package(entry)))

    walk(get_resolver(), "", ())
    return found


def project_viewset_namespaces() -> set[str]:
    """Namespaces of the Wagtail viewsets the project's apps register (their views may be
    Wagtail's generic ones, but the project chose them and their permission policy)."""
    return {
        viewset.url_namespace
        for viewset in wagtail_viewsets.viewsets
        if _package(type(viewset)) in PROJECT_APPS
    }


def project_routes() -> dict[str, str]:
    namespaces = project_viewset_namespaces()
    return {
        name: pattern
        for name, pattern, package in all_routes()
        if package in PROJECT_APPS or name.split(":")[0] in namespaces
    }


def _row_route(key: str) -> str:
    return key.partition("#")[0]


def test_every_project_route_has_a_row():
    rows = {_row_route(key) for key in PROBES}
    missing = {name: pattern for name, pattern in project_routes().items() if name not in rows}
    assert not missing, "routes with no row in the permission matrix (add a probe and a row): " + ", ".join(
        f"{name} ({pattern})" for name, pattern in sorted(missing.items())
    )


def test_every_third_party_route_is_exempted_with_a_reason():
    project = project_routes()
    unexplained = sorted(
        f"{name} ({package})"
        for name, _pattern, package in all_routes()
        if name not in project and package not in EXEMPT_PACKAGES
    )
    assert not unexplained, "routes neither the project's nor exempted: " + ", ".join(unexplained)


def test_every_row_names_a_route_and_fills_every_column():
    names = {name for name, _pattern, _package in all_routes()}
    assert set(PROBES) == set(EXPECTED), set(PROBES) ^ set(EXPECTED)
    for key, row in EXPECTED.items():
        assert _row_route(key) in names, f"{key}: no such route"
        assert len(row) == len(ROLES), f"{key}: {len(row)} cells for {len(ROLES)} roles"
    names_of_tests = {_test_name(key, role) for key in EXPECTED for role in ROLES}
    assert len(names_of_tests) == len(EXPECTED) * len(ROLES), "two rows give their cells the same test name"
    assert not set(DEPARTMENT_EXPECTED) - set(PROBES), set(DEPARTMENT_EXPECTED) - set(PROBES)
    for key, row in DEPARTMENT_EXPECTED.items():
        assert len(row) == len(DEPARTMENT_ROLES), (
            f"{key}: {len(row)} cells for {len(DEPARTMENT_ROLES)} handlers"
        )


def test_every_back_office_row_has_a_department_row():
    """Department handlers work in the back office: each of its routes says what they get."""
    back_office = reverse("wagtailadmin_home").lstrip("/")
    patterns = {name: pattern for name, pattern, _package in all_routes()}
    missing = sorted(
        key
        for key in EXPECTED
        if patterns[_row_route(key)].startswith(back_office) and key not in DEPARTMENT_EXPECTED
    )
    assert not missing, (
        "back-office rows with no department row (add one to DEPARTMENT_EXPECTED): " + ", ".join(missing)
    )


# --- the cells -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_in_tmp():
    """Replaces tests/conftest.py's fixture of this name: the cells read the evidence and the
    certificate the world wrote in ``PermissionMatrix.media_root``, not a new folder per test."""


def _resolve(value, world: World):
    return value(world) if callable(value) else value


def request(client, world: World, key: str, role: str):
    probe = PROBES[key]
    headers = {}
    if role == "source_system":
        headers["HTTP_AUTHORIZATION"] = f"Api-Key {world.source_key}"
    elif role != "anonymous":
        client.force_login(world.users[role])
    url = reverse(_row_route(key), args=probe.args(world) if probe.args else ())
    url += _resolve(probe.query, world)
    data = _resolve(probe.data, world)
    send = getattr(client, probe.method.lower())
    if probe.json:
        return send(url, json.dumps(data), content_type="application/json", **headers)
    if probe.method == "DELETE":
        return send(url, **headers)
    return send(url, data or {}, **headers)


def outcome(response, marker: str | None):
    status = response.status_code
    if status == 302:
        location = urlsplit(response["Location"]).path
        if location in (resolve_url(settings.LOGIN_URL), reverse("wagtailadmin_login")):
            return LOGIN
        errors = any(message.level == messages.ERROR for message in get_messages(response.wsgi_request))
        if errors and location == reverse("wagtailadmin_home"):
            return DENIED
        return REFUSED if errors else DONE
    if status == 200 and marker is not None:
        return SHOWN if marker in response.content.decode() else HIDDEN
    return status


class PermissionMatrix(TestCase):
    """One test per cell of ``EXPECTED`` (``test_<route>__<role>``), added below.

    A Django ``TestCase`` rather than a parametrized function: ``setUpTestData`` builds the world
    once, in a transaction rolled back after the class, and each cell runs in a savepoint of it,
    so no request changes what the next one sees. (pytest-django closes the connection after
    every function test, which would end a transaction kept open across them on PostgreSQL.)
    """

    @classmethod
    def setUpClass(cls):
        cls.media_root = tempfile.mkdtemp(prefix="permission-matrix-")
        cls.addClassCleanup(shutil.rmtree, cls.media_root, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media_root))
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            cls.world = build_world()
        finally:
            celery_app.conf.task_always_eager = eager

    def check(self, key: str, role: str, expected) -> None:
        response = request(self.client, self.world, key, role)
        if response.streaming:
            # Read to the end: the test client closes the file then. (Not response.close(): it
            # would send request_finished, whose handler closes the connection on PostgreSQL.)
            b"".join(response.streaming_content)
        marker = PROBES[key].marker
        got = outcome(response, marker(self.world) if marker else None)
        assert got == expected, (
            f"{PROBES[key].method} {_row_route(key)} as {role}: {got}, expected {expected}"
        )


def _cell(key: str, role: str, expected):
    def test(self):
        self.check(key, role, expected)

    return test


def _test_name(key: str, role: str) -> str:
    return "test_" + re.sub(r"\W", "_", key) + "__" + role


for _key, _row in EXPECTED.items():
    for _role, _expected in zip(ROLES, _row, strict=False):
        setattr(PermissionMatrix, _test_name(_key, _role), _cell(_key, _role, _expected))
for _key, _row in DEPARTMENT_EXPECTED.items():
    for _role, _expected in zip(DEPARTMENT_ROLES, _row, strict=False):
        setattr(PermissionMatrix, _test_name(_key, _role), _cell(_key, _role, _expected))
