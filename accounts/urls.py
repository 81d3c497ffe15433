"""The user's own pages, mounted by config.urls at /account/ (signing up, in and out, profile,
messages; namespace ``account``), and the account API (``api_urlpatterns``, namespace
``account-api``, at /api/v1/account/)."""

from django.urls import path

from accounts import api, signin, views

app_name = "account"

urlpatterns = [
    path("signup/", signin.sign_up, name="signup"),
    path("login/", signin.SignInView.as_view(), name="login"),
    path("logout/", signin.SignOutView.as_view(), name="logout"),
    path("password-reset/", signin.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", signin.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("verify-email/resend/", views.email_resend, name="verify-email-resend"),
    path("verify-email/<str:token>/", signin.verify_email, name="verify-email"),
    path("email/", views.email_change, name="email-change"),
    path("", views.profile, name="profile"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
]

api_urlpatterns = [
    path("me/", api.MeApi.as_view(), name="me"),
]
