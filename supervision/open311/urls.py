"""/open311/v2/: GeoReport v2, each resource as .json or .xml."""

from django.urls import path, re_path, register_converter

from supervision.open311 import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311_format:fmt>", views.discovery, name="discovery"),
    path("services.<open311_format:fmt>", views.services, name="services"),
    path("services/<slug:service_code>.<open311_format:fmt>", views.service_definition, name="service"),
    path("requests.<open311_format:fmt>", views.service_requests, name="requests"),
    path("requests/<str:service_request_id>.<open311_format:fmt>", views.service_request, name="request"),
    re_path(r"^(?P<address>.*)$", views.not_found, name="not-found"),
]
