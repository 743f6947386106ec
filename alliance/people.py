"""The people the alliance works with, for alliance staff (see `portal.people`): residents who
posted a request, and the members of households the staff visited or heard a need from."""

from alliance.models import HomeVisit, Need
from portal import people, roles
from portal.models import HouseholdMember


@people.reach(roles.ALLIANCE_STAFF)
def askers_and_visited(viewer) -> people.Reach:
    return people.Reach(
        users=[Need.objects.filter(author__isnull=False).values("author_id")],
        members=[
            HouseholdMember.objects.filter(
                household_id__in=HomeVisit.objects.values("household_id")
            ).values("pk"),
            HouseholdMember.objects.filter(
                household_id__in=Need.objects.filter(household__isnull=False).values("household_id")
            ).values("pk"),
        ],
    )
