"""The signed-in user's own pages: profile with the e-mail address and its verification
(/account/), API tokens (/account/tokens/), messages (/account/notifications/).

Every view acts only on the requesting user's own rows: another user's token or message is
simply not found (404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import ApiToken, Department, Notification
from accounts.roles import Role
from accounts.tokens import TOKEN_SCHEME, api_token_create, api_token_revoke
from accounts.verification import (
    VERIFICATION_LINK_DAYS,
    email_verification_send,
    user_change_email,
)
from core.errors import redirect_on_refusal
from core.http import on_this_site, safe_next

NOTIFICATIONS_PER_PAGE = 20


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is the token for?"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For example the name of the system that will use it."),
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("New e-mail address"), max_length=254)
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy(
            "Asked so that nobody else who reaches your open session can take over the account."
        ),
    )


def mask_email(email: str) -> str:
    """``ab***@example.org``: enough to recognise one's own address, not to harvest it."""
    local, at, domain = (email or "").partition("@")
    if not at:
        return "***" if email else ""
    return f"{local[:2] if len(local) > 3 else local[:1]}***@{domain}"


def _unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def _profile_context(request, *, email_form: EmailChangeForm | None = None) -> dict:
    user = request.user
    return {
        "email_verified": user.email_verified,
        "email_verified_at": user.email_verified_at,
        "email_form": email_form or EmailChangeForm(),
        "link_days": VERIFICATION_LINK_DAYS,
        "username": user.get_username(),
        "roles": [str(Role(name).label) for name in sorted(user.role_names)],
        "region": user.region,
        "department": Department(user.department).label if user.department in Department.values else "",
        "masked_email": mask_email(user.email),
        "unread_count": _unread_count(user),
    }


def _tokens_context(request, *, form: ApiTokenForm | None = None, new_key: str = "") -> dict:
    user = request.user
    return {
        "tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at"),
        "form": form or ApiTokenForm(),
        "new_key": new_key,
        "scheme": TOKEN_SCHEME,
        "unread_count": _unread_count(user),
    }


@never_cache
@login_required
@require_GET
def profile(request):
    return render(request, "accounts/profile.html", _profile_context(request))


@never_cache
@login_required
@require_POST
@redirect_on_refusal("account:profile")
def email_resend(request):
    """Mail a new verification link (rate-limited by the service); back where the button was."""
    try:
        email_verification_send(user=request.user)
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("A new link is on its way to %(email)s. It is valid for %(days)d days.")
            % {"email": mask_email(request.user.email), "days": VERIFICATION_LINK_DAYS},
        )
    return redirect(safe_next(request) or "account:profile")


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("password")
def email_change(request):
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            user_change_email(
                user=request.user, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _("Your e-mail address is changed. Open the link we sent to it to verify it."),
            )
            return redirect("account:profile")
    return render(request, "accounts/profile.html", _profile_context(request, email_form=form), status=400)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@sensitive_variables("key")
def tokens(request):
    """The user's API tokens; a POST makes one and shows its key in this one response, never
    again."""
    if request.method == "GET":
        return render(request, "accounts/tokens.html", _tokens_context(request))
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/tokens.html", _tokens_context(request, form=form), status=400)
    _token, key = api_token_create(user=request.user, name=form.cleaned_data["name"])
    # never_cache makes the response no-store: the key is in this page and nowhere else.
    return render(request, "accounts/tokens.html", _tokens_context(request, new_key=key))


@never_cache
@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.key_prefix})
    return redirect("account:tokens")


@never_cache
@login_required
@require_GET
def notification_list(request):
    """The user's messages, unread first, newest first within each."""
    notes = (
        Notification.objects.filter(user=request.user)
        .annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-pk")
    )
    page = Paginator(notes, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/notifications.html",
        {"page": page, "notifications": page.object_list, "unread_count": _unread_count(request.user)},
    )


@never_cache
@login_required
@require_POST
def notifications_read_all(request):
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
    count = unread.update(read_at=timezone.now())
    if count:
        messages.success(request, _("All messages are marked as read."))
    return redirect("account:notifications")


def _mark_read(request, pk: int) -> Notification:
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note


@never_cache
@login_required
@require_POST
def notification_read(request, pk: int):
    _mark_read(request, pk)
    return redirect("account:notifications")


@never_cache
@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark the message read and follow its link (only to this site)."""
    note = _mark_read(request, pk)
    if note.url and on_this_site(request, note.url):
        return redirect(note.url)
    return redirect("account:notifications")
