"""Calling off a post (the service day rained off): every place and place in line goes, each
volunteer is told once with the reason, the pages say so, nobody signs up any more; only the
team's leader or the coordinator may, and a volunteer who already came keeps their place."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import now

from portal.models import Notice
from tests.factories import make_user
from tests.volunteers.helpers import make_post, make_team
from volunteers import services
from volunteers.models import Signup

pytestmark = pytest.mark.django_db

RAIN = "暴雨，服务日改期。"


@pytest.fixture
def full_post(post, volunteer, resident, elder):
    """Three places: two taken, and a third volunteer in line behind a full post of two."""
    services.set_capacity(post, 2)
    services.sign_up(post, volunteer)
    services.sign_up(post, resident)
    services.sign_up(post, elder, waitlist=True)
    return post


def test_calling_off_cancels_every_place_and_tells_each_volunteer(
    full_post, team_leader, volunteer, resident, elder
):
    told = services.call_off_post(full_post, by=team_leader, reason=f" {RAIN} ")

    assert told == 3
    full_post.refresh_from_db()
    assert full_post.is_called_off and full_post.called_off_by == team_leader
    assert full_post.called_off_reason == RAIN
    signups = Signup.objects.filter(post=full_post)
    assert set(signups.values_list("status", "seat")) == {(Signup.Status.CANCELLED, None)}
    notices = Notice.objects.filter(kind=Notice.Kind.CANCELLED)
    assert sorted(notices.values_list("recipient", flat=True)) == sorted(
        [volunteer.pk, resident.pk, elder.pk]
    )
    assert all(RAIN in n.text and "补鞋" in n.text for n in notices)


def test_a_volunteer_already_checked_in_keeps_the_place(full_post, team_leader, volunteer):
    came = Signup.objects.get(post=full_post, volunteer=volunteer)
    Signup.objects.filter(pk=came.pk).update(checked_in_at=now())

    assert services.call_off_post(full_post, by=team_leader, reason=RAIN) == 2

    came.refresh_from_db()
    assert came.status == Signup.Status.CONFIRMED and came.seat is not None
    assert not Notice.objects.filter(recipient=volunteer, kind=Notice.Kind.CANCELLED).exists()


def test_only_the_teams_leader_or_the_coordinator_may(full_post, volunteer, coordinator):
    other_leader = make_user("别队队长")
    make_team("理发队", leader=other_leader, slug="haircut")
    for user in (volunteer, other_leader):
        with pytest.raises(services.PostError):
            services.call_off_post(full_post, by=user, reason=RAIN)
    full_post.refresh_from_db()
    assert not full_post.is_called_off
    assert Signup.objects.active().filter(post=full_post).count() == 3

    assert services.call_off_post(full_post, by=coordinator, reason=RAIN) == 3


@pytest.mark.parametrize("reason", ["", "  ", "雨" * 201])
def test_a_reason_is_needed_and_short_enough_for_a_text(full_post, team_leader, reason):
    with pytest.raises(services.PostError):
        services.call_off_post(full_post, by=team_leader, reason=reason)
    full_post.refresh_from_db()
    assert not full_post.is_called_off
    assert not Notice.objects.filter(kind=Notice.Kind.CANCELLED).exists()


def test_once_and_not_after_it_ended(full_post, team_leader, team):
    services.call_off_post(full_post, by=team_leader, reason=RAIN)
    with pytest.raises(services.PostError, match="already been called off"):
        services.call_off_post(full_post, by=team_leader, reason="again")
    assert Notice.objects.filter(kind=Notice.Kind.CANCELLED).count() == 3

    start = now() - timedelta(hours=3)
    over = services.create_post(
        title="旧岗",
        place="广场",
        start=start,
        end=start + timedelta(hours=1),
        capacity=1,
        team=team,
    )
    with pytest.raises(services.PostError, match="over"):
        services.call_off_post(over, by=team_leader, reason=RAIN)


def test_nobody_signs_up_for_a_called_off_post(full_post, team_leader, outsider):
    services.call_off_post(full_post, by=team_leader, reason=RAIN)

    with pytest.raises(services.SignupError, match="called off"):
        services.sign_up(full_post, outsider)
    assert not Signup.objects.filter(post=full_post, volunteer=outsider).exists()


def test_the_pages_say_it_is_called_off(client, full_post, team_leader, service_day):
    services.call_off_post(full_post, by=team_leader, reason=RAIN)

    detail = client.get(full_post.get_absolute_url()).content.decode()
    assert "This post is called off: " + RAIN in detail
    day = client.get(service_day.get_absolute_url()).content.decode()
    assert 'data-testid="called-off"' in day


def test_the_leader_calls_it_off_from_the_roster(client, full_post, team_leader, elder):
    client.force_login(team_leader)
    url = reverse("volunteers:post-call-off", args=[full_post.pk])
    assert url in client.get(reverse("volunteers:roster", args=[full_post.pk])).content.decode()

    page = client.get(url).content.decode()
    assert "3 volunteers (with a place" in page
    assert client.post(url, {"reason": ""}).status_code == 200
    full_post.refresh_from_db()
    assert not full_post.is_called_off  # neither the GET nor an empty reason changed anything

    response = client.post(url, {"reason": RAIN}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("volunteers:roster", args=[full_post.pk])
    page = response.content.decode()
    assert "3 volunteers were told" in page and RAIN in page and url not in page
    assert Notice.objects.filter(recipient=elder, kind=Notice.Kind.CANCELLED).exists()


def test_another_teams_leader_or_a_volunteer_cannot_reach_the_page(client, full_post, volunteer):
    other_leader = make_user("别队队长")
    make_team("理发队", leader=other_leader, slug="haircut")
    url = reverse("volunteers:post-call-off", args=[full_post.pk])
    for user in (volunteer, other_leader):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": RAIN}).status_code == 403
    full_post.refresh_from_db()
    assert not full_post.is_called_off


def test_the_coordinator_calls_it_off_in_the_admin(client, coordinator, team):
    post = make_post(team=team, title="理发")
    services.sign_up(post, make_user("志愿者甲"))
    client.force_login(coordinator)
    url = reverse("admin:volunteers_post_call_off", args=[post.pk])
    assert (
        url in client.get(reverse("admin:volunteers_post_change", args=[post.pk])).content.decode()
    )

    response = client.post(url, {"reason": RAIN}, follow=True)

    assert "1 person was told" in response.content.decode()
    post.refresh_from_db()
    assert post.called_off_by == coordinator


def test_a_leader_in_the_admin_sees_only_their_own_teams_page(client, team_leader, service_day):
    other_leader = make_user("别队队长")
    other = make_post(team=make_team("理发队", leader=other_leader, slug="haircut"))
    client.force_login(team_leader)
    response = client.get(reverse("admin:volunteers_post_call_off", args=[other.pk]))
    assert response.status_code in (302, 403, 404)
    other.refresh_from_db()
    assert not other.is_called_off
