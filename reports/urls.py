from django.urls import path

from reports import views

urlpatterns = [
    path("reports/verify/<str:public_id>/", views.verify, name="report-verify"),
]
