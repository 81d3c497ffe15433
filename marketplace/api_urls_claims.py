from django.urls import path

from marketplace import api_claims
from marketplace import converters as _converters  # noqa: F401 - registers need_code

urlpatterns = [
    path("needs/<need_code:code>/claims/", api_claims.NeedClaimsApi.as_view(), name="api-need-claims"),
    path("claims/<int:pk>/renew/", api_claims.ClaimRenewApi.as_view(), name="api-claim-renew"),
    path("claims/<int:pk>/withdraw/", api_claims.ClaimWithdrawApi.as_view(), name="api-claim-withdraw"),
    path("claims/<int:pk>/transfers/", api_claims.ClaimTransfersApi.as_view(), name="api-claim-transfers"),
    path("transfers/<int:pk>/accept/", api_claims.TransferAcceptApi.as_view(), name="api-transfer-accept"),
    path("transfers/<int:pk>/decline/", api_claims.TransferDeclineApi.as_view(), name="api-transfer-decline"),
]
