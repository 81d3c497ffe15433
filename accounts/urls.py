"""The signed-in user's pages, mounted by config.urls at /account/."""

from django.urls import path

from accounts import views

app_name = "account"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("tokens/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
]
