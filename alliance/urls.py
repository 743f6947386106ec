from django.urls import path

from alliance import questionnaire_urls, views

app_name = "alliance"

urlpatterns = [
    path("", views.board, name="board"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/rate/", views.rate, name="rate"),
    path("ask/", views.ask, name="ask"),
    path("mine/", views.my_requests, name="mine"),
    path("mine/<int:pk>/", views.need_detail, name="need"),
    path("manage/", views.manage, name="manage"),
    path("manage/needs/new/", views.need_record, name="need-record"),
    path("manage/needs/<int:pk>/", views.manage_need, name="manage-need"),
    path("manage/needs/<int:pk>/<str:action>/", views.need_answer, name="need-answer"),
    path("manage/projects/", views.projects, name="projects"),
    path("manage/projects/new/", views.project_new, name="project-new"),
    path("manage/projects/<int:pk>/", views.project_manage, name="project-manage"),
    path("manage/projects/<int:pk>/<str:action>/", views.project_action, name="project-action"),
    path("manage/visits/", views.visits, name="visits"),
    path("manage/figures-<int:year>.<str:fmt>", views.figures_export, name="figures-export"),
    path("partner/", views.partner, name="partner"),
    path("partner/needs/<int:pk>/claim/", views.claim, name="claim"),
    *questionnaire_urls.urlpatterns,
]
