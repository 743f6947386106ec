"""Many households registering and cancelling in the same second (PostgreSQL, real threads)."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from events import services
from events.models import Activity, Event, Registration
from tests.factories import make_child, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")


def _run_together(jobs):
    """Start every job at the same instant; return what each raised (or None)."""
    barrier = threading.Barrier(len(jobs))
    errors = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            job()
        except Exception as e:  # collected and inspected by the test
            errors[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.fixture
def event_activity(db):
    # Real clock here: threads do not share time-machine's frozen time reliably.
    start = datetime.now(SH) + timedelta(days=10)
    event = Event.objects.create(
        title="并发测试", starts_on=start.date(), ends_on=start.date(), is_published=True
    )
    return Activity.objects.create(
        event=event,
        title="热门活动",
        place="广场",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        needs_registration=True,
        capacity=5,
        household_limit=2,
    )


@pytest.fixture(autouse=True)
def frozen_clock():
    """The shared conftest freezes time; real threads here need the real clock."""
    yield


def test_no_overbooking_and_households_stay_whole(event_activity):
    families = []
    for n in range(12):
        parent = make_user(f"家长{n}")
        members = [parent.member]
        if n % 2:
            members.append(make_child(parent, name=f"孩子{n}", birth_date=date(2018, 1, 1)))
        families.append((parent, members))

    errors = _run_together(
        [
            (lambda p=p, m=m: services.register(event_activity, user=p, members=m))
            for p, m in families
        ]
    )

    assert errors == [None] * 12
    confirmed = Registration.objects.filter(activity=event_activity, status="confirmed")
    assert confirmed.count() <= 5
    for booking_statuses in _statuses_by_booking(event_activity).values():
        assert len(set(booking_statuses)) == 1  # all-or-nothing
    # The waiting list is in the order the bookings were made, and nobody jumped it.
    waiting = _waiting_bookings(event_activity)
    placed = set(confirmed.values_list("booking_id", flat=True))
    assert max(placed) < min(waiting)  # first come, first served: nobody jumped the line
    assert confirmed.count() >= 4  # only a family of two can be left out of the last place
    assert Registration.objects.filter(activity=event_activity).count() == 18


def test_concurrent_cancellations_promote_the_waiting_list_in_order(event_activity):
    users = [make_user(f"居民{n}") for n in range(10)]
    for u in users:  # one after the other: 5 confirmed, 5 waiting in a known order
        services.register(event_activity, user=u, members=[u.member])
    confirmed = list(
        Registration.objects.filter(activity=event_activity, status="confirmed").order_by("id")
    )
    waiting_before = _waiting_bookings(event_activity)

    errors = _run_together(
        [
            (lambda r=r, u=r.booking.booked_by: services.cancel_registration(r, by=u))
            for r in confirmed[:3]
        ]
    )

    assert errors == [None] * 3
    assert Registration.objects.filter(activity=event_activity, status="confirmed").count() == 5
    promoted = set(
        Registration.objects.filter(activity=event_activity, status="confirmed")
        .exclude(pk__in=[r.pk for r in confirmed])
        .values_list("booking_id", flat=True)
    )
    assert promoted == set(waiting_before[:3])
    assert _waiting_bookings(event_activity) == waiting_before[3:]


def test_one_person_registered_twice_at_once_gets_one_place(event_activity):
    parent = make_user("着急的家长")

    errors = _run_together(
        [lambda: services.register(event_activity, user=parent, members=[parent.member])] * 4
    )

    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, services.EventError) for e in errors if e is not None)
    assert Registration.objects.filter(member=parent.member).count() == 1


def _statuses_by_booking(activity):
    out = {}
    for booking_id, status in Registration.objects.filter(activity=activity).values_list(
        "booking_id", "status"
    ):
        out.setdefault(booking_id, []).append(status)
    return out


def _waiting_bookings(activity):
    return list(
        Registration.objects.filter(activity=activity, status="waiting")
        .order_by("booking_id")
        .values_list("booking_id", flat=True)
        .distinct()
    )


def test_the_household_limit_holds_when_one_household_registers_in_parallel(event_activity):
    parent = make_user("忙碌的家长")
    kids = [make_child(parent, name=f"孩子{n}", birth_date=date(2018, 1, 1)) for n in range(3)]
    people = [parent.member, *kids]

    errors = _run_together(
        [(lambda m=m: services.register(event_activity, user=parent, members=[m])) for m in people]
    )

    assert sum(e is None for e in errors) == 2  # household_limit is 2
    assert all(isinstance(e, services.EventError) for e in errors if e is not None)
    assert Registration.objects.filter(activity=event_activity).count() == 2
