from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from portal import inbox, modules, my_calendar, views

urlpatterns = [
    path("", views.home, name="home"),
    path("announcements/", views.announcement_list, name="announcement-list"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement-detail"),
    path("privacy/", views.privacy, name="privacy"),
    path("me/", views.profile, name="profile"),
    path("me/new-password/", views.new_password_after_code, name="new-password-after-code"),
    path("me/sent/<int:pk>/", views.broadcast_progress, name="broadcast-progress"),
    path("me/household/", views.household, name="household"),
    path("me/household/<int:pk>/", views.household_member_edit, name="household-member-edit"),
    path(
        "me/household/<int:pk>/remove/",
        views.household_member_remove,
        name="household-member-remove",
    ),
    path("me/calendar/", my_calendar.my_calendar, name="my-calendar"),
    path("me/calendar/reset/", my_calendar.my_calendar_reset, name="my-calendar-reset"),
    path("me/calendar/stop/", my_calendar.my_calendar_stop, name="my-calendar-stop"),
    path("calendar/<str:token>.ics", my_calendar.my_calendar_feed, name="my-calendar-feed"),
    path("me/data/", views.my_data, name="my-data"),
    path("me/data/export.json", views.my_data_export, {"fmt": "json"}, name="my-data-json"),
    path("me/data/export/", views.my_data_export, {"fmt": "html"}, name="my-data-export"),
    path("me/data/consents/", views.consent_change, name="consent-change"),
    path("me/data/delete/", views.account_delete, name="account-delete"),
    path("people/<int:pk>/mobile/", views.show_mobile, name="show-mobile"),
    # My messages (portal.inbox): the notices of every module, and how they also come
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", inbox.notice_read, name="inbox-notice-read"),
    path("inbox/read/", inbox.all_read, name="inbox-read-all"),
    path("me/notices/", inbox.preferences, name="notice-preferences"),
    path("text-size/", views.text_size, name="text-size"),
    path("language/", views.set_language, name="set_language"),
    path("accounts/signup/sent/", views.signup_sent, name="signup-sent"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Each module's pages, at /<label>/ under its own namespace (portal.modules).
    *(path(f"{module.label}/", include(f"{module.name}.urls")) for module in modules.modules()),
]

# Errors in the portal's own look (portal/errors.py); requests Django itself cannot read get the
# same 400 page as HostileInputMiddleware's refusals.
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"

if settings.DEBUG:
    # Uploaded media in development; production serves MEDIA_ROOT from the web server.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
