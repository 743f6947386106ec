"""The people the volunteer service works with: every volunteer for the coordinator, a team's
members and applicants for its leader (see `portal.people`)."""

from django.contrib.auth.models import Group

from portal import people, roles
from portal.models import User
from volunteers.models import Membership, Signup, VolunteerProfile


@people.reach(roles.VOLUNTEER_COORDINATOR)
def volunteers(viewer) -> people.Reach:
    return people.Reach(
        users=[
            User.objects.filter(
                groups__in=Group.objects.filter(name__in=[roles.VOLUNTEER, roles.TEAM_LEADER])
            ).values("pk"),
            Membership.objects.values("user_id"),
            VolunteerProfile.objects.values("user_id"),
            Signup.objects.values("volunteer_id"),
        ],
        # Certificates, reports and messages reach volunteers by email too.
        user_fields=frozenset({"email"}),
    )


@people.reach(roles.TEAM_LEADER)
def my_team(viewer) -> people.Reach:
    return people.Reach(
        users=[
            Membership.objects.filter(team__leader=viewer).values("user_id"),
            Signup.objects.filter(post__team__leader=viewer).values("volunteer_id"),
        ],
    )
