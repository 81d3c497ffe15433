"""The delivery URLs: reporting a delivery and its evidence (``urlpatterns``, namespace
``delivery``) and the API (``api_urlpatterns``, namespace ``delivery-api``, under /api/v1/)."""

from django.urls import path

from marketplace.delivery import api, views

app_name = "delivery"

urlpatterns = [
    path("claims/<int:pk>/deliver/", views.claim_deliver, name="deliver"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]

api_urlpatterns = [
    path("claims/<int:pk>/deliveries/", api.ClaimDeliveriesApi.as_view(), name="claim-deliveries"),
    path("intake/confirmations/", api.IntakeConfirmationApi.as_view(), name="confirmations"),
]
