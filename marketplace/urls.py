from django.urls import include, path

from marketplace import converters as _converters  # noqa: F401 - registers need_code
from marketplace import views, views_browse

urlpatterns = [
    path("needs/", views_browse.need_list, name="needs"),
    path("needs/<need_code:code>/", views.need_detail, name="need-detail"),
    path("", include("marketplace.urls_organizations")),
    path("", include("marketplace.urls_claims")),
    path("", include("marketplace.urls_delivery")),
    path("", include("marketplace.urls_feedback")),
]
