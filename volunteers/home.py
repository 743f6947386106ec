"""This module's section on the home page (see portal.views.home)."""

from django.urls import reverse
from django.utils.timezone import localdate, now

from portal import roles
from portal.cache import cached, personal
from portal.models import Notice
from volunteers.models import Membership, ServiceDay, Signup


def section(request):
    """Context for `volunteers/_home_section.html`: the next service day (the same for everyone,
    cached), my next post and my unread notices (two queries)."""
    today = localdate()
    ctx = {
        "next_day": cached(
            f"home:volunteers:{today}",
            ("volunteers",),
            lambda: ServiceDay.objects.filter(date__gte=today).first(),
        ),
        "next_signup": None,
        "unread": 0,
        "applications": 0,
    }
    user = request.user
    if user.is_authenticated:
        ctx.update(personal("home:volunteers", user.pk, ("volunteers",), lambda: _mine(user)))
    return ctx


def _mine(user) -> dict:
    """My next post, my unread notices about volunteering, the applications waiting for me."""
    mine = {
        "next_signup": (
            Signup.objects.active()
            .filter(volunteer=user, post__end__gt=now())
            .select_related("post")
            .order_by("post__start")
            .first()
        ),
        "unread": (
            Notice.objects.filter(recipient=user)
            .unread()
            .about(reverse("volunteers:index"))
            .count()
        ),
    }
    mine["applications"], mine["applications_url"] = _applications_waiting(user)
    return mine


def _applications_waiting(user) -> tuple[int, str]:
    """Applications waiting for this leader (their teams) or the coordinator (the pool of offers
    without a team), and where to answer them; one query, none for other people."""
    if not user.is_staff:  # leaders and the coordinator are staff (their role groups)
        return 0, ""
    if user.has_role(roles.VOLUNTEER_COORDINATOR):
        scope, url = {"team__isnull": True}, reverse("volunteers:coordinator")
    elif user.has_role(roles.TEAM_LEADER):
        scope, url = {"team__leader": user}, reverse("volunteers:lead")
    else:
        return 0, ""
    return Membership.objects.filter(status=Membership.Status.PENDING, **scope).count(), url
