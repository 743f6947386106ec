"""This module's section on the home page (see portal.views.home)."""

from django.utils import timezone

from classes.models import ClassSession, Course, Enrolment, Teacher
from fund.services import spending_to_approve
from portal import roles
from portal.cache import cached, personal
from portal.models import Community


def _teacher_user_ids() -> set[int]:
    """The accounts of the classroom's teachers (a dozen or so): one set for every page view."""
    return set(Teacher.objects.filter(user__isnull=False).values_list("user_id", flat=True))


def _figures(today):
    return {
        "hours": ClassSession.objects.total_hours(),
        "open_courses": Course.objects.published().filter(term__ends_on__gte=today).count(),
    }


def section(request):
    """Class hours and courses this term (the same for everyone, cached), a teacher's link (the
    teachers' accounts, cached) and a parent's next class (one query)."""
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
    ctx["spending_to_approve"] = 0
    if user.is_authenticated:
        ctx["teaches"] = user.pk in cached("classes:teacher-users", ("classes",), _teacher_user_ids)
        if user.is_staff and user.has_role(roles.CLASSES_STAFF):  # staff roles make staff
            # Waiting for this fund manager: spending someone else proposed (one query).
            ctx["spending_to_approve"] = spending_to_approve(user)
    if user.is_authenticated and user.household_id:
        ctx["next_session"] = personal(
            f"home:classes:{today}", user.pk, ("classes",), lambda: _next_session(user, today)
        )
    return ctx


def _next_session(user, today):
    """My household's children's next class."""
    return (
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
