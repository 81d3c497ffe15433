"""Signing up, in and out on the public site (/account/signup/, /account/login/, /account/logout/),
and a forgotten password reset by e-mail (/account/password-reset/).

After signing in, people land on what they came for (``landing_url``), unless the sign-in page
was given a ``next`` address on this site.

Charities' members and volunteers open an account here, then register their organization or
themselves as volunteers. Staff accounts are made in the back office by a superuser; staff
may sign in here or at /admin/. django-axes guards this sign-in as it guards the back office's.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts.models import EMAIL_TAKEN, normalize_email
from accounts.permissions import is_claimant, may_use_back_office
from accounts.verification import (
    VerificationLinkInvalid,
    email_taken,
    email_verification_send,
    email_verify,
)
from core.http import safe_next

# The backend that checks passwords (django-axes' standalone backend only refuses lock-outs).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class SignUpForm(UserCreationForm):
    """User name, e-mail and password twice; Django's password validators apply."""

    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        max_length=254,
        help_text=gettext_lazy("Where the portal sends you news of your claims and registrations."),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        # One account per address in any letter case (the database refuses it too).
        email = normalize_email(self.cleaned_data["email"])
        if email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def sign_up(request):
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:  # another sign-up took the address in between
            form.add_error("email", forms.ValidationError(EMAIL_TAKEN, code="email_taken"))
        else:
            email_verification_send(user=user, force=True)
            login(request, user, backend=MODEL_BACKEND)
            messages.success(
                request,
                _(
                    "Welcome! Your account is ready. We sent a link to your e-mail address: open it "
                    "to verify the address, then register your organization, join one, or register "
                    "as a volunteer to claim needs."
                ),
            )
            return redirect(safe_next(request) or "organizations:mine")
    return render(request, "accounts/signup.html", {"form": form, "next": safe_next(request)})


def landing_url(user) -> str:
    """Where a signed-in user starts: staff in the back office, members of a verified
    organization and volunteers on their claims (我的认领), anyone else on their organization
    page, which offers to register one, join one or volunteer."""
    if may_use_back_office(user):
        return reverse("wagtailadmin_home")
    if is_claimant(user):
        return reverse("claims:mine")
    return reverse("organizations:mine")


class SignInView(auth_views.LoginView):
    """Django's sign-in: a ``next`` address is followed only when it is on this site."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


class SignOutView(auth_views.LogoutView):
    """POST only (Django's rule: a link must not sign anyone out); back to the home page."""

    next_page = "/"


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the account's e-mail and sends a one-time link; says the same whether or not an
    account has that address, so the page cannot be used to find out who is registered."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("account:password-reset-sent")
    extra_email_context = {"site_name": settings.PORTAL_NAME}


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("account:login")

    def form_valid(self, form):
        messages.success(self.request, _("Your password is changed. Sign in with the new one."))
        return super().form_valid(form)


@never_cache
def verify_email(request, token: str):
    """The link mailed to the address: marks it verified. Works signed in or not (the link
    names the account); a tampered, expired or used-up link says so and offers a new one."""
    try:
        verified = email_verify(token=token)
    except VerificationLinkInvalid as exc:
        # Caught here, not by ``core.errors.redirect_on_refusal``: the link gets a page of its
        # own, saying what went wrong and how to get a new one.
        return render(request, "accounts/verify_email_failed.html", {"expired": exc.expired}, status=400)
    if verified.already:
        messages.info(request, _("Your e-mail address was already verified."))
    else:
        messages.success(request, _("Thank you: your e-mail address is verified."))
    if request.user.is_authenticated and request.user.pk == verified.user.pk:
        return redirect("account:profile")
    return redirect("account:login")
