"""The people events staff work with: those registered for activities, who booked for them, and
stall applicants (see `portal.people`)."""

from events.models import Booking, Registration, StallApplication
from portal import people, roles


@people.reach(roles.EVENTS_STAFF)
def registered(viewer) -> people.Reach:
    return people.Reach(
        members=[Registration.objects.filter(member__isnull=False).values("member_id")],
        users=[
            Booking.objects.filter(booked_by__isnull=False).values("booked_by_id"),
            StallApplication.objects.values("applicant_id"),
        ],
    )
