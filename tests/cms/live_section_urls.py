"""The portal's URLconf with the notices section served by a view of its own, as the work that
builds a section will mount it."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as portal_urlpatterns


def notices(request):
    return HttpResponse("公示公告")


urlpatterns = [path("notices/", notices), *portal_urlpatterns]
