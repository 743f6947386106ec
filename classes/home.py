"""This module's section on the home page (see portal.views.home)."""

from django.utils import timezone

from classes.access import is_teacher
from classes.models import ClassSession, Course, Enrolment
from portal.cache import cached
from portal.models import Community


def _figures(today):
    return {
        "hours": ClassSession.objects.total_hours(),
        "open_courses": Course.objects.published().filter(term__ends_on__gte=today).count(),
    }


def section(request):
    """Class hours and courses this term (the same for everyone, cached), a parent's next class
    and a teacher's link (two queries)."""
    today = timezone.localdate()
    community = Community.current()
    ctx = {
        "age_min": community.child_age_min,
        "age_max": community.child_age_max,
        **cached(f"home:classes:{today}", ("classes",), lambda: _figures(today)),
        "next_session": None,
        "teaches": False,
    }
    user = request.user
    if user.is_authenticated:
        ctx["teaches"] = is_teacher(user)
    if user.is_authenticated and user.household_id:
        ctx["next_session"] = (
            ClassSession.objects.filter(
                date__gte=today,
                course__enrolments__child__household_id=user.household_id,
                course__enrolments__status=Enrolment.Status.ENROLLED,
            )
            .exclude(status=ClassSession.Status.CANCELLED)
            .select_related("course")
            .order_by("date", "starts_at")
            .first()
        )
    return ctx
