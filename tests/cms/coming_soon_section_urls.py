"""The portal's URLconf with the notices section served by ``coming_soon``, as it was before
the section was built: the badge test needs a section that is still to come."""

from django.urls import path

from cms import views
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("notices/", views.coming_soon, {"section": "notices"}), *portal_urlpatterns]
