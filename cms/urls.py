from django.urls import path

from cms import views

# The public sections keep the addresses of DESIGN.md §3, each served by its own app (mounted in
# config/urls.py) or by the page tree (/notices/, /hotline/); this file keeps the site's own.
urlpatterns = [
    path("preferences/text-size/", views.set_text_size, name="set-text-size"),
]
