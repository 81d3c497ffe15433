"""One DomainError, translated once per surface: the API's handler, and pages' redirect back."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation
from django.views import View

from accounts.verification import ResendTooSoon, VerificationLinkInvalid
from config.api import exception_handler
from core.errors import DomainError, RefusalRedirectMixin, redirect_on_refusal
from marketplace.claims.errors import ClaimRefused, ClaimTransitionRefused, TransferTransitionRefused
from marketplace.delivery.services.reports import DeliveryConflict, DeliveryTransitionRefused
from marketplace.needs.services.status import NeedTransitionRefused
from marketplace.organizations.services.verification import OrganizationTransitionRefused


@pytest.mark.parametrize(
    "error_class",
    [
        ClaimRefused,
        ClaimTransitionRefused,
        TransferTransitionRefused,
        DeliveryConflict,
        DeliveryTransitionRefused,
        NeedTransitionRefused,
        OrganizationTransitionRefused,
        ResendTooSoon,
        VerificationLinkInvalid,
    ],
)
def test_every_refusal_of_the_domain_is_a_domain_error(error_class):
    assert issubclass(error_class, DomainError)


def test_a_refusal_speaks_chinese_by_default():
    with translation.override("zh-hans"):
        refusal = DomainError()
    assert refusal.message == "当前状态下无法进行此操作。" == str(refusal)
    assert (refusal.code, refusal.http_status) == ("refused", 409)


@pytest.mark.parametrize(
    ("refusal", "status", "code", "reason"),
    [
        (ClaimRefused("not_eligible"), 403, "permission_denied", "not_eligible"),
        (ClaimRefused("over_remaining"), 409, "conflict", "over_remaining"),
        (NeedTransitionRefused("rejected", "withdrawn"), 409, "conflict", "illegal_need_transition"),
        (DeliveryConflict("x", code="nothing_reported"), 409, "conflict", "nothing_reported"),
        (VerificationLinkInvalid(expired=True), 400, "bad_request", "expired"),
        (ResendTooSoon(30), 429, "throttled", "resend_too_soon"),
        (DomainError("无此记录", code="gone", http_status=404), 404, "not_found", "gone"),
    ],
)
def test_the_api_answers_a_refusal_with_its_status_and_reason(refusal, status, code, reason):
    response = exception_handler(refusal, {})
    assert response.status_code == status
    assert response.data == {"code": code, "message": refusal.message, "reason": reason}


def _request(path="/claims/1/renew/", data=None):
    request = RequestFactory().post(path, data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _refusing_view(request, pk):
    raise ClaimRefused("not_active")


def test_a_page_turns_a_refusal_into_a_message_and_a_redirect_back():
    view = redirect_on_refusal("/mine/")(_refusing_view)
    with translation.override("zh-hans"):
        request = _request()
        response = view(request, pk=1)
    assert (response.status_code, response.url) == (302, "/mine/")
    assert [str(message) for message in get_messages(request)] == ["该认领已不再有效。"]


def test_back_is_the_requests_own_next_when_it_is_on_this_site():
    view = redirect_on_refusal(lambda request, pk: f"/claims/{pk}/")(_refusing_view)
    assert view(_request(data={"next": "/needs/N1/"}), pk=1).url == "/needs/N1/"
    assert view(_request(data={"next": "https://evil.example/"}), pk=7).url == "/claims/7/"


def test_a_page_without_a_refusal_is_left_alone():
    view = redirect_on_refusal("/mine/")(lambda request: HttpResponse("ok"))
    assert view(_request()).content == b"ok"


def test_an_admin_view_turns_a_refusal_into_a_message_and_a_redirect():
    class Decide(RefusalRedirectMixin, View):
        refusal_url = "/admin/queue/"

        def post(self, request):
            raise NeedTransitionRefused("rejected", "published")

    request = _request()
    response = Decide.as_view()(request)
    assert (response.status_code, response.url) == (302, "/admin/queue/")
    assert len(list(get_messages(request))) == 1


def test_other_errors_pass_through():
    class Broken(RefusalRedirectMixin, View):
        refusal_url = "/admin/queue/"

        def post(self, request):
            raise ValueError("a bug, not a refusal")

    with pytest.raises(ValueError):
        Broken.as_view()(_request())
