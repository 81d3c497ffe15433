"""The claims' URLs: the public pages (``urlpatterns``, namespace ``claims``) and the API
(``api_urlpatterns``, namespace ``claims-api``, mounted by config.urls under /api/v1/)."""

from django.urls import path

from marketplace.claims import api, views
from marketplace.needs import converters as _converters  # noqa: F401 - registers need_code

app_name = "claims"

urlpatterns = [
    path("needs/<need_code:code>/claim/", views.need_claim_view, name="claim"),
    path("needs/<need_code:code>/transfer/", views.claim_transfer_view, name="transfer"),
    path("claims/mine/", views.my_claims, name="mine"),
    path("claims/<int:pk>/renew/", views.claim_renew_view, name="renew"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw_view, name="withdraw"),
    path("claims/<int:pk>/situation/", views.claim_situation_view, name="situation"),
    path("transfers/<int:pk>/accept/", views.transfer_accept_view, name="transfer-accept"),
    path("transfers/<int:pk>/decline/", views.transfer_decline_view, name="transfer-decline"),
]

api_urlpatterns = [
    path("needs/<need_code:code>/claims/", api.NeedClaimsApi.as_view(), name="need-claims"),
    path("claims/<int:pk>/renew/", api.ClaimRenewApi.as_view(), name="renew"),
    path("claims/<int:pk>/withdraw/", api.ClaimWithdrawApi.as_view(), name="withdraw"),
    path("claims/<int:pk>/transfers/", api.ClaimTransfersApi.as_view(), name="transfers"),
    path("transfers/<int:pk>/accept/", api.TransferAcceptApi.as_view(), name="transfer-accept"),
    path("transfers/<int:pk>/decline/", api.TransferDeclineApi.as_view(), name="transfer-decline"),
]
