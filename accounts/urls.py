"""The user's own pages, mounted by config.urls at /account/: signing up, in and out, profile, messages."""

from django.urls import path

from accounts import views, views_auth

app_name = "account"

urlpatterns = [
    path("signup/", views_auth.sign_up, name="signup"),
    path("login/", views_auth.SignInView.as_view(), name="login"),
    path("logout/", views_auth.SignOutView.as_view(), name="logout"),
    path("password-reset/", views_auth.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views_auth.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views_auth.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("verify-email/resend/", views.email_resend, name="verify-email-resend"),
    path("verify-email/<str:token>/", views_auth.verify_email, name="verify-email"),
    path("email/", views.email_change, name="email-change"),
    path("", views.profile, name="profile"),
    path("tokens/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
]
