"""This module's section on the home page (see portal.views.home)."""

from django.urls import reverse
from django.utils.timezone import localdate, now

from events.models import Event, Registration, StallApplication
from portal import roles
from portal.cache import cached, personal
from portal.models import Notice


def section(request):
    """Context for `events/_home_section.html`: the next event (the same for everyone, cached),
    my tickets and my unread notices (two queries)."""
    today = localdate()
    ctx = {
        "event": cached(
            f"home:events:{today}",
            ("events",),
            lambda: (
                Event.objects.published()
                .filter(ends_on__gte=today)
                .order_by("starts_on", "id")
                .first()
            ),
        ),
        "my_count": 0,
        "unread": 0,
    }
    user = request.user
    if user.is_authenticated and user.household_id:
        ctx.update(personal("home:events", user.pk, ("events",), lambda: _mine(user)))
    ctx["stalls_to_review"] = 0
    if user.is_authenticated and user.is_staff and user.has_role(roles.EVENTS_STAFF):
        # Waiting for events staff: stall applications to decide (one query); the staff page
        # lists them per activity.
        ctx["stalls_to_review"] = StallApplication.objects.filter(
            status=StallApplication.Status.PENDING
        ).count()
    return ctx


def _mine(user) -> dict:
    """My household's coming tickets and my unread notices about events."""
    return {
        "my_count": (
            Registration.objects.active()
            .of_household(user.household_id)
            .filter(activity__ends_at__gte=now())
            .count()
        ),
        "unread": (
            Notice.objects.filter(recipient=user).unread().about(reverse("events:index")).count()
        ),
    }
