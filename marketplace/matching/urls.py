"""The matching URLs: offers, invitations, availability, projects and pledges (``urlpatterns``,
namespace ``matching``) and the API (``api_urlpatterns``, namespace ``matching-api``)."""

from django.urls import path

from marketplace.matching import api, views

app_name = "matching"

urlpatterns = [
    path("offers/mine/", views.matching_mine, name="mine"),
    path("offers/new/", views.offer_new, name="offer-new"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/invitations/<int:pk>/accept/", views.invitation_accept_view, name="invitation-accept"),
    path("offers/invitations/<int:pk>/decline/", views.invitation_decline_view, name="invitation-decline"),
    path("volunteers/availability/", views.availability_view, name="availability"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project-new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/pledge/", views.pledge_view, name="pledge"),
    path("projects/pledges/<int:pk>/<slug:answer>/", views.pledge_answer_view, name="pledge-answer"),
]

api_urlpatterns = [
    path("offers/", api.OfferListApi.as_view(), name="offers"),
    path("offers/<int:pk>/", api.OfferDetailApi.as_view(), name="offer"),
    path("offers/<int:pk>/recommendations/", api.OfferRecommendationsApi.as_view(), name="recommendations"),
]
