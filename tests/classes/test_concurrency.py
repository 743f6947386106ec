"""Many parents at the moment a popular course opens: PostgreSQL row locks keep the capacity."""

import threading
from datetime import date

import pytest
from django.db import connection

from classes.models import Enrolment
from classes.services import EnrolmentError, withdraw
from tests.classes.helpers import enrol, make_course
from tests.factories import make_child, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait()
            job()
        except EnrolmentError as e:
            errors.append(str(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_twelve_parents_at_once_never_overbook_and_queue_in_order(now, term):
    course = make_course(term, capacity=4)
    families = []
    for i in range(12):
        parent = make_user(f"家长{i}")
        families.append((parent, make_child(parent, name=f"孩子{i}", birth_date=date(2018, 3, 1))))

    errors = _run_together([lambda p=p, c=c: enrol(p, course, c) for p, c in families])

    assert errors == []
    assert course.enrolments.filter(status=Enrolment.Status.ENROLLED).count() == 4
    waiting = list(course.enrolments.waiting_order())
    assert len(waiting) == 8
    # Rows are written one at a time under the course's lock, so ids follow the lock order:
    # the four places went to the first four in, and the waiting list is in arrival order.
    placed = list(course.enrolments.filter(status=Enrolment.Status.ENROLLED).order_by("id"))
    assert max(e.pk for e in placed) < min(e.pk for e in waiting)
    assert [e.pk for e in waiting] == sorted(e.pk for e in waiting)

    # Withdrawals hand the places on in that same order.
    first_placed = placed[0]
    promoted = withdraw(first_placed.enrolled_by, first_placed)
    assert promoted.pk == waiting[0].pk


def test_the_same_child_sent_twice_at_once_gets_one_entry(now, term):
    course = make_course(term, capacity=5)
    parent = make_user("张妈妈")
    child = make_child(parent, name="张小明", birth_date=date(2018, 9, 1))

    errors = _run_together([lambda: enrol(parent, course, child) for _ in range(4)])

    assert course.enrolments.count() == 1
    assert len(errors) == 3 and all("已经报名" in e for e in errors)


def test_withdrawals_at_the_same_moment_promote_the_waiting_children_in_order(now, term):
    course = make_course(term, capacity=3)
    entries = []
    for i in range(7):
        parent = make_user(f"家长{i}")
        kid = make_child(parent, name=f"孩子{i}", birth_date=date(2018, 3, 1))
        entries.append(enrol(parent, course, kid))
    placed, waiting = entries[:3], entries[3:]

    errors = _run_together([lambda e=e: withdraw(e.enrolled_by, e) for e in placed])

    assert errors == []
    enrolled = set(
        course.enrolments.filter(status=Enrolment.Status.ENROLLED).values_list("pk", flat=True)
    )
    assert enrolled == {e.pk for e in waiting[:3]}
    assert list(course.enrolments.waiting_order().values_list("pk", flat=True)) == [waiting[3].pk]
