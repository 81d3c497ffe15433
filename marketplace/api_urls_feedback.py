from django.urls import path

from marketplace import api_feedback

urlpatterns = [
    path("feedback/", api_feedback.FeedbackPullApi.as_view(), name="api-feedback-pull"),
]
