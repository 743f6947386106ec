"""The people the classroom works with: enrolled children and their households' account holders
(the parents), for classes staff everywhere and for a teacher in their own courses; plus
teachers' accounts and parents who offered to volunteer, for staff (see `portal.people`)."""

from classes.models import Course, Enrolment, Teacher, VolunteerOffer
from portal import people, roles
from portal.models import User


def _children_and_parents(enrolments) -> people.Reach:
    return people.Reach(
        members=[enrolments.values("child_id")],
        users=[
            User.objects.filter(household_id__in=enrolments.values("child__household_id")).values(
                "pk"
            )
        ],
        # Courses are for an age range, counted on the term's first day.
        member_fields=frozenset({"birth_date"}),
    )


@people.reach(roles.CLASSES_STAFF)
def pupils_and_parents(viewer) -> people.Reach:
    found = _children_and_parents(Enrolment.objects.all())
    return people.Reach(
        members=found.members,
        users=[
            *found.users,
            Teacher.objects.filter(user__isnull=False).values("user_id"),
            VolunteerOffer.objects.values("user_id"),
        ],
        member_fields=found.member_fields,
    )


def _teaches(user) -> bool:
    if not user.is_authenticated or user.is_superuser:
        return False
    return Teacher.objects.filter(user=user).exists()


@people.reach(_teaches)
def my_pupils(viewer) -> people.Reach:
    return _children_and_parents(
        Enrolment.objects.filter(course__in=Course.objects.taught_by(viewer))
    )
