from django.urls import path

from marketplace import views_organizations as views

urlpatterns = [
    path("organizations/", views.organization_directory, name="organizations"),
    path("organizations/register/", views.organization_register_view, name="organization-register"),
    path("organizations/mine/", views.organizations_mine, name="organizations-mine"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/join/", views.organization_join, name="organization-join"),
    path("organizations/<int:pk>/invite/", views.organization_invite, name="organization-invite"),
    path(
        "organizations/memberships/<int:pk>/<slug:action>/",
        views.membership_action,
        name="membership-action",
    ),
    path("volunteers/register/", views.volunteer_register_view, name="volunteer-register"),
    path("volunteers/me/", views.volunteer_me, name="volunteer-me"),
]
