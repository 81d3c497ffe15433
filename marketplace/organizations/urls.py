"""The organizations' URLs: directory, registration, membership and volunteers (``urlpatterns``,
namespace ``organizations``) and the API (``api_urlpatterns``, namespace ``organizations-api``)."""

from django.urls import path

from marketplace.organizations import api, views

app_name = "organizations"

urlpatterns = [
    path("organizations/", views.organization_directory, name="directory"),
    path("organizations/register/", views.organization_register_view, name="register"),
    path("organizations/mine/", views.organizations_mine, name="mine"),
    path("organizations/<int:pk>/", views.organization_detail, name="detail"),
    path("organizations/<int:pk>/join/", views.organization_join, name="join"),
    path("organizations/<int:pk>/invite/", views.organization_invite, name="invite"),
    path(
        "organizations/memberships/<int:pk>/<slug:action>/", views.membership_action, name="membership-action"
    ),
    path("volunteers/register/", views.volunteer_register_view, name="volunteer-register"),
    path("volunteers/me/", views.volunteer_me, name="volunteer-me"),
]

api_urlpatterns = [
    path("organizations/", api.PublicOrganizationListApi.as_view(), name="list"),
    path("organizations/<int:pk>/", api.PublicOrganizationDetailApi.as_view(), name="detail"),
]
