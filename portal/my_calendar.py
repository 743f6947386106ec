"""My calendar: one private feed per person with everything of theirs (portal.calendars).

My volunteer posts, my household's festival registrations, my children's classes and my
household's booked meals, from each module's `<app>/calendar.py` (`items_for(user)`, a fixed
number of queries each). The address's token is the only key (calendar apps fetch without
logging in); the person may reset it (the old address then answers 404) or stop it.
"""

import hmac
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import modules
from portal.calendars import calendar_response
from portal.models import CalendarKey, calendar_digest, calendar_token

TOKEN_MAX = 64


def items_for(user) -> list:
    """Everything of the user's, from every module, in time order."""
    items = []
    for _app, calendar in modules.parts("calendar"):
        items.extend(calendar.items_for(user, labelled=True))
    items.sort(key=lambda item: (item.start, item.uid))
    return items


@transaction.atomic
def reset_key(user) -> CalendarKey:
    """A new address for the user's calendar; the old one (if any) stops working at once."""
    salt = secrets.token_urlsafe(32)
    key, _created = CalendarKey.objects.update_or_create(
        user=user, defaults={"salt": salt, "digest": calendar_digest(calendar_token(salt))}
    )
    return key


def stop_key(user) -> bool:
    """No address at all: the feed stops for every app subscribed to it."""
    deleted, _rows = CalendarKey.objects.filter(user=user).delete()
    return bool(deleted)


def feed_url(request, key: CalendarKey) -> str:
    return request.build_absolute_uri(reverse("my-calendar-feed", args=[key.token]))


@login_required
def my_calendar(request):
    """The address of my calendar, how to add it to a phone, and the buttons to reset or stop it."""
    key = CalendarKey.objects.filter(user=request.user).first()
    ctx = {"key": key, "modules": _module_feeds(request)}
    if key is not None:
        url = feed_url(request, key)
        ctx.update(https_url=url, webcal_url="webcal://" + url.split("://", 1)[1])
    response = render(request, "portal/my_calendar.html", ctx)
    response["Referrer-Policy"] = "no-referrer"  # the page shows a secret address
    response["Cache-Control"] = "private, no-store"
    return response


def _module_feeds(request) -> list[tuple[str, str]]:
    """The per-module pages where the separate feeds are (for those who want only one)."""
    return [
        (_("Volunteer posts only"), reverse("volunteers:my-schedule")),
        (_("Children's classes only"), reverse("classes:mine")),
    ]


@login_required
@require_POST
def my_calendar_reset(request):
    had_key = CalendarKey.objects.filter(user=request.user).exists()
    reset_key(request.user)
    if had_key:
        messages.success(
            request,
            _("Your calendar address was reset. The old address no longer works; add the new one."),
        )
    else:
        messages.success(request, _("Your calendar address is ready: add it to your phone."))
    return redirect("my-calendar")


@login_required
@require_POST
def my_calendar_stop(request):
    if stop_key(request.user):
        messages.success(request, _("Your calendar address was stopped. It no longer works."))
    return redirect("my-calendar")


def my_calendar_feed(request, token):
    """The feed: the token stands in for a login (calendar apps cannot log in)."""
    token = token[:TOKEN_MAX]
    key = (
        CalendarKey.objects.select_related("user")
        .filter(digest=calendar_digest(token), user__is_active=True)
        .first()
    )
    # The lookup is by the token's hash; the comparison itself takes constant time.
    if key is None or not hmac.compare_digest(key.token, token):
        raise Http404
    user = key.user
    with translation.override(user.preferred_language()):
        return calendar_response(
            items_for(user),
            name=_("My calendar · %(name)s") % {"name": _name(user)},
            filename="my-calendar.ics",
        )


def _name(user) -> str:
    return user.real_name or _("Neighbourly Portal")
