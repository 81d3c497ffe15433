from django.urls import include, path

from marketplace import api
from marketplace import converters as _converters  # noqa: F401 - registers need_code

urlpatterns = [
    path("intake/needs/", api.IntakeNeedsApi.as_view(), name="intake-needs"),
    path("intake/needs/<str:source_ref>/", api.IntakeNeedWithdrawApi.as_view(), name="intake-need-withdraw"),
    path("needs/", api.PublicNeedListApi.as_view(), name="api-need-list"),
    path("needs/<need_code:code>/", api.PublicNeedDetailApi.as_view(), name="api-need-detail"),
    path("", include("marketplace.api_urls_organizations")),
    path("", include("marketplace.api_urls_claims")),
    path("", include("marketplace.api_urls_delivery")),
    path("", include("marketplace.api_urls_feedback")),
]
