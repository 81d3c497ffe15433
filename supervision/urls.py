"""The public pages of tickets: filing one and tracking it (names kept from DESIGN §3)."""

from django.urls import path

from supervision import views

urlpatterns = [
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/track/", views.complaint_track, name="complaint-track"),
]
