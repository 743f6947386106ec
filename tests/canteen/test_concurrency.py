"""Capacities under real concurrency (PostgreSQL): portions and one subsidy per slot."""

import threading
from datetime import date

import pytest
from django.db import connection

from canteen import services
from canteen.models import Booking, MealRecord, SubsidisedSlot
from tests.canteen.helpers import MEAL_DAY, at, make_menu
from tests.factories import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(n, work):
    """Run `work(i)` in n threads released at once; returns the outcomes (result or error)."""
    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def target(i):
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as e:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_bookings_never_exceed_the_portion_limit(community, lunch, time_machine):
    time_machine.move_to(at(MEAL_DAY, 8), tick=False)
    menu = make_menu(MEAL_DAY, lunch, portions=3)
    people = [make_user(f"老人{i}", birth_date=date(1950, 1, 1)) for i in range(8)]

    outcomes = run_together(8, lambda i: services.book(menu, people[i].member, by=people[i]))

    booked = [o for o in outcomes if isinstance(o, Booking)]
    refused = [o for o in outcomes if isinstance(o, services.CanteenError)]
    assert len(booked) == 3 and len(refused) == 5
    assert Booking.objects.filter(menu=menu, status=Booking.Status.BOOKED).count() == 3


def test_concurrent_bookings_for_the_same_person_make_one(community, lunch, elder, time_machine):
    time_machine.move_to(at(MEAL_DAY, 8), tick=False)
    menu = make_menu(MEAL_DAY, lunch)
    outcomes = run_together(5, lambda i: services.book(menu, elder.member, by=elder))
    assert sum(isinstance(o, Booking) for o in outcomes) == 1
    assert Booking.objects.filter(menu=menu).count() == 1


def test_two_counters_recording_the_same_elder_give_one_subsidy(
    community, lunch, elder, elder_rule, canteen_staff, time_machine
):
    time_machine.move_to(at(MEAL_DAY, 11, 45), tick=False)
    menu = make_menu(MEAL_DAY, lunch)
    outcomes = run_together(4, lambda i: services.record_meal(menu, elder.member, by=canteen_staff))
    records = [o for o in outcomes if isinstance(o, MealRecord)]
    assert all(isinstance(o, MealRecord | services.CanteenError) for o in outcomes), outcomes
    assert SubsidisedSlot.objects.count() == 1
    subsidised = MealRecord.objects.filter(subsidy__gt=0)
    assert subsidised.count() == 1
    assert len(records) == MealRecord.objects.count()


def test_walk_ins_and_bookings_together_never_exceed_the_portions(
    community, lunch, elder_rule, canteen_staff, time_machine
):
    time_machine.move_to(at(MEAL_DAY, 8, 30), tick=False)
    menu = make_menu(MEAL_DAY, lunch, portions=4)
    people = [make_user(f"居民{i}", birth_date=date(1955, 1, 1)) for i in range(10)]

    def work(i):
        if i % 2:
            return services.book(menu, people[i].member, by=people[i])
        return services.record_meal(menu, people[i].member, by=canteen_staff)

    outcomes = run_together(10, work)
    taken = [o for o in outcomes if isinstance(o, Booking | MealRecord)]
    assert len(taken) == 4
    assert all(isinstance(o, Booking | MealRecord | services.CanteenError) for o in outcomes)
    live = Booking.objects.filter(menu=menu, status=Booking.Status.BOOKED).count()
    walk_ins = MealRecord.objects.filter(menu=menu, booking__isnull=True).count()
    assert live + walk_ins == 4
