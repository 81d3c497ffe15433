"""The portal's URLs plus ``/bench/hello``, a view that does nothing: the benchmark's baseline."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as portal_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello", hello), *portal_urlpatterns]
