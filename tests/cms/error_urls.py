"""A URLconf whose only page fails, to see the real 500 handler at work."""

from django.urls import path


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken)]

handler500 = "cms.views.server_error"
