from django.urls import path

from marketplace import views_delivery

urlpatterns = [
    path("claims/<int:pk>/deliver/", views_delivery.claim_deliver, name="claim-deliver"),
    path("evidence/<int:pk>/", views_delivery.evidence_download, name="evidence"),
]
