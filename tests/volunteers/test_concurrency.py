"""Concurrent sign-ups never overbook a post (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection

from tests.factories import make_user
from tests.volunteers.helpers import make_post, make_team
from volunteers import services
from volunteers.models import Signup

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(post, users, *, waitlist=False):
    barrier = threading.Barrier(len(users))
    outcomes = []

    def attempt(user):
        try:
            barrier.wait()
            signup = services.sign_up(post, user, waitlist=waitlist)
            outcomes.append(signup.status)
        except services.SignupError as e:
            outcomes.append("full" if e.full else str(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_twenty_volunteers_racing_for_three_places_get_exactly_three(team_leader):
    post = make_post(team=make_team(leader=team_leader), capacity=3)
    users = [make_user(f"志愿者{i}") for i in range(20)]
    outcomes = _race(post, users)
    assert outcomes.count(Signup.Status.CONFIRMED) == 3
    assert outcomes.count("full") == 17
    held = Signup.objects.filter(post=post).holding_place()
    assert held.count() == 3
    assert sorted(held.values_list("seat", flat=True)) == [1, 2, 3]


def test_racing_with_the_waiting_list_puts_the_rest_in_line(team_leader):
    post = make_post(team=make_team(leader=team_leader), capacity=2)
    users = [make_user(f"志愿者{i}") for i in range(10)]
    outcomes = _race(post, users, waitlist=True)
    assert outcomes.count(Signup.Status.CONFIRMED) == 2
    assert outcomes.count(Signup.Status.WAITLISTED) == 8


def test_the_same_volunteer_tapping_twice_at_once_gets_one_signup(team_leader, volunteer):
    post = make_post(team=make_team(leader=team_leader), capacity=5)
    outcomes = _race(post, [volunteer] * 4)
    assert outcomes.count(Signup.Status.CONFIRMED) == 1
    assert Signup.objects.filter(post=post, volunteer=volunteer).count() == 1
