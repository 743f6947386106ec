"""Who may see what in the classroom: the one place views ask for courses, sessions and
enrolments on behalf of the person asking."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone

from classes.models import ClassSession, Course, Enrolment
from portal import roles
from portal.access import holds_role, my_household_members
from portal.models import HouseholdMember


def is_classes_staff(user) -> bool:
    return holds_role(user, roles.CLASSES_STAFF)


def is_teacher(user) -> bool:
    return user.is_authenticated and hasattr(user, "teacher")


def teaching_courses(request):
    """Courses the user teaches; classes staff see all. Anyone else: 403."""
    user = request.user
    if is_classes_staff(user):
        return Course.objects.all()
    if is_teacher(user):
        return Course.objects.taught_by(user)
    raise PermissionDenied


def get_course_for_teaching(request, pk) -> Course:
    """A course the user teaches (or any, for staff); 404 for another teacher's course."""
    return get_object_or_404(
        teaching_courses(request).select_related("term", "institution", "teacher"), pk=pk
    )


def get_session_for_teaching(request, pk) -> ClassSession:
    courses = teaching_courses(request)
    return get_object_or_404(
        ClassSession.objects.select_related("course__term", "course__teacher").filter(
            course__in=courses
        ),
        pk=pk,
    )


def my_children(user):
    """The children of the user's household (grandchildren too) whom its adults may enrol."""
    return my_household_members(user).filter(HouseholdMember.children_q(timezone.localdate()))


def get_my_enrolment(request, pk) -> Enrolment:
    """An enrolment of a child of the user's household; 404 otherwise."""
    if not request.user.household_id:
        raise PermissionDenied
    return get_object_or_404(
        Enrolment.objects.select_related("course", "child"),
        pk=pk,
        child__household_id=request.user.household_id,
    )
