"""The account API, mounted by config.urls at /api/v1/account/."""

from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="api-account-me"),
]
