from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from portal import views

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
    path("text-size/", views.text_size, name="text-size"),
    path("language/", views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("volunteers/", include("volunteers.urls")),
    path("events/", include("events.urls")),
    path("canteen/", include("canteen.urls")),
    path("classes/", include("classes.urls")),
]

if settings.DEBUG:
    # Uploaded media in development; production serves MEDIA_ROOT from the web server.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
