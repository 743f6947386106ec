from django.urls import path, re_path

from classes import views
from fund import views as fund_views

app_name = "classes"

urlpatterns = [
    path("", views.index, name="index"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("requests/<int:pk>/", views.enrolment_request, name="request"),
    path("courses/<int:pk>/lottery/", views.lottery_result, name="lottery"),
    path("enrolments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("mine/", views.my_classes, name="mine"),
    path("mine/calendar/reset/", views.calendar_reset, name="calendar-reset"),
    path("mine/calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("teach/", views.teach, name="teach"),
    path("teach/courses/<int:pk>/", views.roster, name="roster"),
    path("teach/courses/<int:pk>/message/", views.message_parents, name="message-parents"),
    path("teach/courses/<int:pk>/draw/", views.lottery_draw, name="lottery-draw"),
    path("teach/courses/<int:pk>/redraw/", views.lottery_redraw, name="lottery-redraw"),
    path("teach/enrolments/<int:pk>/fee-paid/", views.fee_paid, name="fee-paid"),
    path("teach/courses/<int:pk>/enrol-for/", views.enrol_for_parent, name="enrol-for-parent"),
    path("teach/sessions/<int:pk>/", views.register, name="register"),
    path("teach/sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("teach/sessions/<int:pk>/move/", views.session_move, name="session-move"),
    path("statistics/", views.statistics, name="statistics"),
    path(
        "statistics/<str:grouping>.<str:fmt>",
        views.statistics_export,
        name="statistics-export",
    ),
    # the micro-fund moved to its own app (fund/): old addresses redirect there
    re_path(r"^fund/(?P<rest>.*)$", fund_views.moved, name="fund-moved"),
]
