"""The people canteen staff work with: diners, the elders the subsidy is for, love-meal
recipients, and the volunteers who carry love meals (see `portal.people`)."""

from django.db.models import Q

from canteen.models import (
    Booking,
    Collector,
    LoveMealDelivery,
    LoveMealRecipient,
    MealRecord,
    ResidentCategory,
)
from portal import people, roles
from portal.models import HouseholdMember


@people.reach(roles.CANTEEN_STAFF)
def diners(viewer) -> people.Reach:
    # Eligible for the elders' subsidy today, whether or not they have eaten here yet.
    born_by = people.elder_born_by()
    elders = HouseholdMember.objects.filter(
        Q(user__birth_date__lte=born_by) | Q(user__birth_date__isnull=True, birth_date__lte=born_by)
    ).values("pk")
    return people.Reach(
        members=[
            Booking.objects.values("member_id"),
            MealRecord.objects.values("member_id"),
            Collector.objects.values("member_id"),
            ResidentCategory.objects.values("member_id"),
            LoveMealRecipient.objects.filter(member__isnull=False).values("member_id"),
            elders,
        ],
        users=[
            Booking.objects.filter(booked_by__isnull=False).values("booked_by_id"),
            LoveMealDelivery.objects.filter(volunteer__isnull=False).values("volunteer_id"),
        ],
        # The elders' subsidy depends on age on the day of the meal; no child's birth date.
        member_fields=frozenset({"elder_birth_date"}),
        user_fields=frozenset({"elder_birth_date"}),
    )
