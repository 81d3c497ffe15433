from django.urls import path

from marketplace import api_organizations

urlpatterns = [
    path(
        "organizations/",
        api_organizations.PublicOrganizationListApi.as_view(),
        name="api-organization-list",
    ),
    path(
        "organizations/<int:pk>/",
        api_organizations.PublicOrganizationDetailApi.as_view(),
        name="api-organization-detail",
    ),
]
