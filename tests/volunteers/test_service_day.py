"""On the service day: walk-ins during the post, check-out apart from confirming, undo.

A leader could not add a member who turned up once the post had started, and an early tap on
check-out (签退) next to "confirm scheduled hours" locked in 0 hours that only a correction
request could fix.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.volunteers.helpers import make_member, make_post
from volunteers import services
from volunteers.models import HoursEntry, Signup

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(team, team_leader):
    user = make_user("赵队员")
    make_member(user, team, by=team_leader)
    return user


@pytest.fixture
def signup(post, volunteer):
    return services.sign_up(post, volunteer)


@pytest.fixture
def leader_client(client, team_leader):
    client.force_login(team_leader)
    return client


def act(client, signup, action):
    return client.post(reverse("volunteers:roster-action", args=[signup.pk]), {"action": action})


# Walk-ins ------------------------------------------------------------------------------------


def test_a_leader_adds_a_walk_in_once_the_post_has_started(
    leader_client, post, member, time_machine
):
    time_machine.move_to(post.start + timedelta(minutes=20), tick=False)
    page = leader_client.get(reverse("volunteers:roster", args=[post.pk]))
    assert member in page.context["addable"] and page.context["walk_ins"]
    response = leader_client.post(
        reverse("volunteers:roster-add", args=[post.pk]), {"user": member.pk}
    )
    assert response.status_code == 302
    signup = Signup.objects.get(post=post, volunteer=member)
    assert signup.status == Signup.Status.CONFIRMED and signup.seat is not None
    assert signup.checked_in_at == post.start + timedelta(minutes=20)


def test_before_check_in_opens_the_leader_signs_up_as_usual(leader_client, post, member):
    leader_client.post(reverse("volunteers:roster-add", args=[post.pk]), {"user": member.pk})
    signup = Signup.objects.get(post=post, volunteer=member)
    assert signup.checked_in_at is None  # an ordinary sign-up, days ahead


def test_a_walk_in_is_refused_after_the_post_and_when_places_are_full(
    post, member, team_leader, team
):
    with pytest.raises(services.SignupError, match="over"):
        services.add_walk_in(post, member, by=team_leader, at=post.end)
    full = make_post(team=team, capacity=1, start_hour=14)
    services.sign_up(full, make_user("已报名"))
    with pytest.raises(services.SignupError, match="places"):
        services.add_walk_in(full, member, by=team_leader, at=full.start)
    assert not Signup.objects.filter(volunteer=member).exists()


def test_only_team_members_can_be_added(leader_client, post, resident, time_machine):
    time_machine.move_to(post.start, tick=False)
    leader_client.post(reverse("volunteers:roster-add", args=[post.pk]), {"user": resident.pk})
    assert not Signup.objects.filter(volunteer=resident).exists()


# Check-out and confirmation are separate -------------------------------------------------------


def test_an_early_check_out_tap_confirms_nothing_and_can_be_undone(
    leader_client, post, signup, time_machine
):
    time_machine.move_to(post.start, tick=False)
    act(leader_client, signup, "in")
    time_machine.move_to(post.start + timedelta(minutes=5), tick=False)
    act(leader_client, signup, "out")  # the early tap
    signup.refresh_from_db()
    assert signup.checked_out_at and not signup.hours_confirmed_at
    assert not HoursEntry.objects.exists()

    act(leader_client, signup, "undo_out")
    signup.refresh_from_db()
    assert signup.checked_out_at is None
    time_machine.move_to(post.end, tick=False)
    act(leader_client, signup, "out")
    act(leader_client, signup, "confirm")
    assert HoursEntry.objects.get().hours == Decimal("2")


def test_the_roster_shows_check_out_and_confirmation_apart(
    leader_client, post, signup, team_leader, time_machine
):
    services.check_in(signup, by=team_leader, at=post.start)
    time_machine.move_to(post.start + timedelta(minutes=30), tick=False)
    during = leader_client.get(reverse("volunteers:roster", args=[post.pk])).content.decode()
    assert 'value="out"' in during and 'value="confirm"' not in during
    time_machine.move_to(post.end + timedelta(minutes=5), tick=False)
    after = leader_client.get(reverse("volunteers:roster", args=[post.pk])).content.decode()
    assert 'data-testid="confirm-hours"' in after and "2 h" in after


# Undoing a confirmation within the day -------------------------------------------------------


def test_a_confirmation_is_undone_the_same_day_by_a_correcting_row(
    leader_client, post, signup, team_leader, time_machine
):
    services.check_in(signup, by=team_leader, at=post.start)
    time_machine.move_to(post.end, tick=False)
    services.confirm_hours(signup, by=team_leader)
    credit = HoursEntry.objects.get()

    time_machine.move_to(post.end + timedelta(hours=3), tick=False)
    response = act(leader_client, signup, "undo_confirm")
    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.hours_confirmed_at is None
    rows = list(HoursEntry.objects.order_by("pk"))
    assert rows[0] == credit and rows[0].hours == Decimal("2")  # never edited
    assert rows[1].kind == HoursEntry.Kind.CORRECTION and rows[1].hours == Decimal("-2")
    assert HoursEntry.objects.filter(signup=signup).total() == 0

    act(leader_client, signup, "confirm")
    assert HoursEntry.objects.filter(signup=signup).total() == Decimal("2")


def test_a_confirmation_cannot_be_undone_the_next_day(
    leader_client, post, signup, team_leader, time_machine
):
    services.check_in(signup, by=team_leader, at=post.start)
    services.confirm_hours(signup, by=team_leader, at=post.end)
    time_machine.move_to(post.end + timedelta(days=1), tick=False)
    act(leader_client, signup, "undo_confirm")
    signup.refresh_from_db()
    assert signup.hours_confirmed_at is not None
    assert HoursEntry.objects.count() == 1


def test_the_volunteer_cannot_undo_their_own_confirmation(
    client, post, signup, volunteer, team_leader
):
    services.check_in(signup, by=team_leader, at=post.start)
    services.confirm_hours(signup, by=team_leader, at=post.end)
    with pytest.raises(services.AttendanceError):
        services.undo_confirmation(signup, by=volunteer, at=post.end)
    client.force_login(volunteer)
    assert act(client, signup, "undo_confirm").status_code in (403, 404)
    assert HoursEntry.objects.count() == 1
