from django.urls import path

from supervision.stats import views

urlpatterns = [
    path("stats/", views.stats_page, name="stats"),
    path("stats/<slug:table>.csv", views.stats_csv, name="stats-csv"),
]
