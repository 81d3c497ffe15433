"""The search page (``search``) and the API (``api_urlpatterns``, namespace ``search-api``)."""

from django.urls import path

from search import api, views

urlpatterns = [path("search/", views.search_page, name="search")]
api_urlpatterns = [path("search/", api.SearchApi.as_view(), name="search")]
