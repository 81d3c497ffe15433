from django.urls import path

from cms import views

# The public sections keep the addresses of DESIGN.md §3. Each is served by ``coming_soon``
# until the work that builds it mounts its own view (before this file in config/urls.py) and
# its line here goes. /needs/ is served by marketplace.needs.urls.
urlpatterns = [
    path("preferences/text-size/", views.set_text_size, name="set-text-size"),
    path("complaints/new/", views.coming_soon, {"section": "complaint-new"}, name="complaint-new"),
    path("complaints/track/", views.coming_soon, {"section": "complaint-track"}, name="complaint-track"),
    path("stats/", views.coming_soon, {"section": "stats"}, name="stats"),
]
