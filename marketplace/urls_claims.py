from django.urls import path

from marketplace import converters as _converters  # noqa: F401 - registers need_code
from marketplace import views_claims

urlpatterns = [
    path("needs/<need_code:code>/claim/", views_claims.need_claim_view, name="need-claim"),
    path("needs/<need_code:code>/transfer/", views_claims.claim_transfer_view, name="need-claim-transfer"),
    path("claims/mine/", views_claims.my_claims, name="claims-mine"),
    path("claims/<int:pk>/renew/", views_claims.claim_renew_view, name="claim-renew"),
    path("claims/<int:pk>/withdraw/", views_claims.claim_withdraw_view, name="claim-withdraw"),
    path("transfers/<int:pk>/accept/", views_claims.transfer_accept_view, name="transfer-accept"),
    path("transfers/<int:pk>/decline/", views_claims.transfer_decline_view, name="transfer-decline"),
]
