"""This module's section on the home page (see portal.views.home)."""

from django.utils.timezone import localdate, now

from portal.cache import cached
from volunteers.models import Notice, ServiceDay, Signup


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
        ctx["unread"] = Notice.objects.filter(user=request.user, read_at__isnull=True).count()
    return ctx
