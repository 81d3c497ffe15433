"""Every HTML page carries a strict Content-Security-Policy and a Permissions-Policy.

The public site runs no inline script; the back office has its own documented policy; the
pages made without static files (500, CSRF failure) allow their one inline style by hash;
evidence downloads keep their own, stricter policy.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import deque

import pytest
from django.test import Client
from django.urls import path
from django.utils import timezone

from config import urls as portal_urls
from marketplace.delivery.services.reports import delivery_report
from marketplace.organizations.models import MembershipRole
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import png_bytes, upload
from tests.factories.needs import NeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

DEVICE_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")
_HREF = re.compile(r'href="(/[^"#?]*)')
_NOT_PAGES = ("/static/", "/media/", "/evidence/", "/documents/", "/i18n/", "/admin/", "/api/v1/")


def _boom(request):
    raise RuntimeError("a deliberate failure, to render the 500 page")


urlpatterns = [path("boom/", _boom), *portal_urls.urlpatterns]
handler500 = portal_urls.handler500


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_public_policy(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def assert_permissions_policy(response) -> None:
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in DEVICE_FEATURES:
        assert features[feature] == "()", feature


def assert_no_inline_script(html: str, where: str) -> None:
    """What the policy would block, found before a browser does: inline script elements,
    event-handler attributes, style attributes and javascript: links."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script on {where}: {tag}"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"event-handler attribute on {where}"
    assert not re.search(r"<[^>]+\sstyle\s*=", html), f"style attribute on {where}"
    assert "javascript:" not in html, f"javascript: link on {where}"


@pytest.fixture
def site_with_content():
    source = SourceSystemFactory(region_code="420000")
    for number in range(3):
        NeedFactory(source_system=source, title=f"需要医疗帮扶的家庭{number}")
    OrganizationFactory(verified=True, need_types=[], name="武汉爱心慈善会")


def crawl(client: Client, start: str = "/", limit: int = 60) -> dict[str, object]:
    """The HTML pages reached by following the site's own links from ``start``."""
    seen: dict[str, object] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            for link in _HREF.findall(response.content.decode()):
                if not link.startswith(_NOT_PAGES) and not link.endswith((".xlsx", ".csv", ".pdf", "/feed/")):
                    queue.append(link)
    return seen


def test_every_page_reached_from_the_home_page_carries_both_policies(client, site_with_content):
    pages = crawl(client)

    html = {url: r for url, r in pages.items() if r["Content-Type"].startswith("text/html")}
    assert {"/", "/needs/", "/organizations/", "/account/login/", "/account/signup/"} <= set(html)
    assert any(re.fullmatch(r"/needs/[A-Z0-9]+/", url) for url in html), "no need page was reached"
    for url, response in html.items():
        assert_public_policy(response)
        assert_permissions_policy(response)
        assert_no_inline_script(response.content.decode(), url)


def test_the_api_docs_come_from_the_portal_itself_under_the_strict_policy(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert_public_policy(response)
    assert_permissions_policy(response)
    page = response.content.decode()
    assert_no_inline_script(page, "/api/docs/")
    assert "<style" not in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert all(source.startswith("/") and not source.startswith("//") for source in sources), sources
    # Swagger UI's stylesheet draws its icons from data: URLs; only this page allows them.
    assert "data:" in directives(response)["img-src"]
    assert "data:" not in directives(client.get("/needs/")).get("img-src", [])
    script = client.get(next(source for source in sources if "script=" in source))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_error_pages_carry_the_policy_and_their_inline_style_is_allowed_by_hash(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    for response in (client.get("/boom/"), client.get("/no-such-page/")):
        assert response.status_code in (500, 404)
        assert_public_policy(response)
        assert_permissions_policy(response)
    server_error = client.get("/boom/").content.decode()
    [style] = re.findall(r"<style>(.*?)</style>", server_error, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives(client.get("/boom/"))["style-src"]


def test_a_csrf_failure_page_carries_the_policy_and_its_inline_style_is_allowed():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/account/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert_public_policy(response)
    assert_permissions_policy(response)
    [style] = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives(response)["style-src"]


def test_the_back_office_has_its_own_policy_and_its_sign_in_page_the_strict_one(client):
    login = client.get("/admin/login/")
    assert_public_policy(login)
    assert_permissions_policy(login)

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert_permissions_policy(dashboard)
    policy = directives(dashboard)
    # Wagtail writes inline script and style elements, but no event-handler attribute, eval
    # or anything from another origin is allowed, and only the back office may frame it.
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src-attr"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert not any("'unsafe-eval'" in sources or "https:" in sources for sources in policy.values())


def test_evidence_keeps_its_own_stricter_policy(client):
    need = NeedFactory(target_amount="1000.00")
    organization = OrganizationFactory(verified=True, need_types=[])
    member = MembershipFactory(organization=organization, role=MembershipRole.ADMIN).user
    claim = ClaimFactory(need=need, organization=organization, claimant=member, amount="1000.00")
    delivery = delivery_report(
        claim=claim,
        actor=member,
        amount="1000.00",
        delivered_on=timezone.localdate(),
        description="已送达药品，附签收单。",
        files=[upload("签收单.png", png_bytes(), "image/png")],
    )
    client.force_login(member)

    response = client.get(f"/evidence/{delivery.evidence.get().pk}/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert_permissions_policy(response)
