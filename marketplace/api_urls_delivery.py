from django.urls import path

from marketplace import api_delivery

urlpatterns = [
    path(
        "claims/<int:pk>/deliveries/",
        api_delivery.ClaimDeliveriesApi.as_view(),
        name="api-claim-deliveries",
    ),
    path(
        "intake/confirmations/",
        api_delivery.IntakeConfirmationApi.as_view(),
        name="intake-confirmations",
    ),
]
