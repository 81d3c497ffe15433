"""The needs' URLs: the public list and page (``urlpatterns``, namespace ``needs``) and the API
(``api_urlpatterns``, namespace ``needs-api``, mounted by config.urls under /api/v1/)."""

from django.urls import path

from marketplace.needs import api, views
from marketplace.needs import converters as _converters  # noqa: F401 - registers need_code

app_name = "needs"

urlpatterns = [
    path("needs/", views.need_list, name="list"),
    path("needs/<need_code:code>/", views.need_detail, name="detail"),
]

api_urlpatterns = [
    path("intake/needs/", api.IntakeNeedsApi.as_view(), name="intake"),
    path("intake/needs/<str:source_ref>/", api.IntakeNeedWithdrawApi.as_view(), name="intake-withdraw"),
    path("needs/", api.PublicNeedListApi.as_view(), name="list"),
    path("needs/<need_code:code>/", api.PublicNeedDetailApi.as_view(), name="detail"),
    path("feedback/", api.FeedbackPullApi.as_view(), name="feedback"),
]
