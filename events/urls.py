from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.programme, name="programme"),
    path("<int:pk>/timetable/", views.timetable, name="timetable"),
    path("<int:pk>/stalls/", views.stall_list, name="stalls"),
    path("activity/<int:pk>/", views.activity_detail, name="activity"),
    path("activity/<int:pk>/register/", views.register, name="register"),
    path("activity/<int:pk>/calendar.ics", views.activity_calendar_file, name="calendar"),
    path("activity/<int:pk>/stall/", views.stall_apply, name="stall-apply"),
    path("my/", views.my_registrations, name="my"),
    path("my/notices/read/", views.notices_read, name="notices-read"),
    path("my/stall/<int:pk>/withdraw/", views.stall_withdraw, name="stall-withdraw"),
    path("my/ticket/<str:token>/", views.ticket, name="ticket"),
    path("my/registration/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/activity/<int:pk>/check-in/", views.check_in_page, name="check-in"),
    path("staff/activity/<int:pk>/walk-in/", views.walk_in, name="walk-in"),
    path("staff/activity/<int:pk>/attendees/", views.attendees, name="attendees"),
    path("staff/activity/<int:pk>/register/", views.staff_register, name="staff-register"),
    path("staff/activity/<int:pk>/message/", views.message_attendees, name="message"),
    path("staff/activity/<int:pk>/stalls/", views.stall_review, name="stall-review"),
    path("staff/stall/<int:pk>/decide/", views.stall_decide, name="stall-decide"),
    path(
        "staff/registration/<int:pk>/check-in/",
        views.check_in_registration,
        name="check-in-registration",
    ),
    path("staff/ticket/<str:token>/", views.staff_ticket, name="staff-ticket"),
    path("staff/activity/<int:pk>/volunteers/", views.volunteer_post, name="volunteer-post"),
    path("staff/event/<int:pk>/figures/", views.figures, name="figures"),
]
