from django.urls import path

from fund import views

app_name = "fund"

urlpatterns = [
    path("", views.fund, name="index"),
    path("manage/", views.manage, name="manage"),
    path("income/", views.income, name="income"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("<int:pk>/<str:action>/", views.action, name="action"),
    path("statement.<str:fmt>", views.statement, name="statement"),
]
