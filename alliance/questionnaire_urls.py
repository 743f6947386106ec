"""URLs of the questionnaires (/alliance/questionnaires/…), spliced into alliance/urls.py."""

from django.urls import path

from alliance import questionnaire_views as views

urlpatterns = [
    path("questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("questionnaires/<int:pk>/", views.answer, name="questionnaire-answer"),
    path("questionnaires/staff/", views.staff_list, name="questionnaire-staff"),
    path("questionnaires/staff/<int:pk>/", views.results, name="questionnaire-results"),
    path("questionnaires/staff/<int:pk>/paper/", views.paper, name="questionnaire-paper"),
    path(
        "questionnaires/staff/answers/<int:pk>/need/",
        views.answer_to_need,
        name="questionnaire-answer-need",
    ),
]
