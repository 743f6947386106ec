from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.index, name="index"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<slug:slug>/", views.team_detail, name="team-detail"),
    path("teams/<slug:slug>/apply/", views.team_apply, name="team-apply"),
    path("teams/<slug:slug>/leave/", views.team_leave, name="team-leave"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("days/<str:day>/", views.day_detail, name="day-detail"),
    path("posts/", views.posts_for_me, name="posts-for-me"),
    path("posts/<int:pk>/", views.post_detail, name="post-detail"),
    path("posts/<int:pk>/sign-up/", views.post_signup, name="post-signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup-cancel"),
    path("signups/<int:pk>/correction/", views.correction_request, name="correction-request"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("me/schedule/", views.my_schedule, name="my-schedule"),
    path("me/notices/read/", views.notices_read, name="notices-read"),
    path("me/calendar/reset/", views.calendar_reset, name="calendar-reset"),
    path("me/name/", views.name_visibility, name="name-visibility"),
    path("me/hours/", views.my_hours, name="my-hours"),
    path("me/certificate/", views.certificate_issue, name="certificate-issue"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("certificates/<str:number>/", views.certificate_detail, name="certificate"),
    path("verify/", views.verify, name="verify"),
    # team leaders
    path("lead/", views.lead_home, name="lead"),
    path("lead/<slug:slug>/", views.lead_team, name="lead-team"),
    path("lead/<slug:slug>/message/", views.team_message, name="team-message"),
    path("lead/<slug:slug>/posts/new/", views.team_post_new, name="team-post-new"),
    path("lead/<slug:slug>/holds/<int:pk>/clear/", views.clear_hold, name="clear-hold"),
    path("applications/<int:pk>/decide/", views.membership_decide, name="membership-decide"),
    path("members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("roster/<int:pk>/", views.roster, name="roster"),
    path("roster/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("roster/<int:pk>/call-off/", views.post_call_off, name="post-call-off"),
    path("roster/<int:pk>/add/", views.roster_add, name="roster-add"),
    path("roster/<int:pk>/outcome/", views.post_outcome, name="post-outcome"),
    path("roster/<int:pk>/message/", views.post_message, name="post-message"),
    path("roster/signups/<int:pk>/", views.roster_action, name="roster-action"),
    path("roster/signups/<int:pk>/decide/", views.signup_decide, name="signup-decide"),
    path("corrections/<int:pk>/decide/", views.correction_decide, name="correction-decide"),
    # the coordinator
    path("coordinator/", views.coordinator, name="coordinator"),
    path("coordinator/generate/", views.generate_year, name="generate-year"),
    path("coordinator/copy/", views.copy_posts, name="copy-posts"),
    path("coordinator/days/<str:day>/message/", views.day_message, name="day-message"),
    path("coordinator/report/", views.report, name="report"),
]
