"""This module's section on the home page (see portal.views.home)."""

from django.urls import reverse
from django.utils.timezone import localdate, now

from portal.cache import cached
from portal.models import Notice
from volunteers.models import ServiceDay, Signup


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
    }
    if request.user.is_authenticated:
        ctx["next_signup"] = (
            Signup.objects.active()
            .filter(volunteer=request.user, post__end__gt=now())
            .select_related("post")
            .order_by("post__start")
            .first()
        )
        ctx["unread"] = (
            Notice.objects.filter(recipient=request.user)
            .unread()
            .about(reverse("volunteers:index"))
            .count()
        )
    return ctx
