from django.urls import path

from marketplace import views

urlpatterns = [
    path("needs/", views.need_list, name="needs"),
    path("needs/<str:code>/", views.need_detail, name="need-detail"),
]
