from django.urls import include, path

from alliance import views

app_name = "alliance"

urlpatterns = [
    path("", views.board, name="board"),
    path("", include("alliance.questionnaire_urls")),
]
