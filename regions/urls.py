from django.urls import path

from regions.api import RegionListApi

urlpatterns = [
    path("", RegionListApi.as_view(), name="region-list"),
]
