from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.index, name="index"),
    path("teams/", views.index, name="teams"),
    path("teams/<slug:slug>/", views.index, name="team-detail"),
    path("lead/<slug:slug>/", views.index, name="lead-team"),
    path("days/<str:day>/", views.index, name="day-detail"),
    path("posts/<int:pk>/", views.index, name="post-detail"),
    path("checkin/<str:token>/", views.index, name="checkin"),
    path("me/schedule/", views.index, name="my-schedule"),
    path("me/hours/", views.index, name="my-hours"),
    path("certificates/<str:number>/", views.index, name="certificate"),
]
