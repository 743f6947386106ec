from django.urls import path

from canteen import views

app_name = "canteen"

urlpatterns = [
    path("", views.index, name="index"),
]
