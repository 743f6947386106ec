"""The functions other modules call: create_post and submit_volunteer_offer."""

from datetime import timedelta

import pytest

from tests.volunteers.helpers import DAY, at, make_team
from volunteers import services
from volunteers.models import Membership, Post


@pytest.mark.django_db
class TestCreatePost:
    def test_it_creates_a_teamless_post_with_its_source(self, canteen_staff):
        post = services.create_post(
            title="爱心餐配送",
            place="睦邻食堂",
            start=at(DAY.replace(day=8), 10),
            end=at(DAY.replace(day=8), 12),
            capacity=5,
            source="canteen:love-meal",
            created_by=canteen_staff,
        )
        post.refresh_from_db()
        assert post.team is None
        assert post.source == "canteen:love-meal"
        assert post.capacity == 5
        assert post.service_day is None

    def test_a_post_on_a_service_day_is_listed_on_that_day(self, service_day):
        post = services.create_post(
            title="摊位", place="广场", start=at(DAY, 9), end=at(DAY, 11), capacity=2
        )
        assert post.service_day == service_day

    @pytest.mark.parametrize(
        "end_offset,capacity,message",
        [
            (timedelta(hours=-1), 3, "end after it starts"),
            (timedelta(0), 3, "end after it starts"),
            (timedelta(hours=2), 0, "at least one volunteer"),
            (timedelta(hours=2), -4, "at least one volunteer"),
        ],
        ids=["ends-before-start", "zero-length", "zero-capacity", "negative-capacity"],
    )
    def test_it_refuses_bad_posts_and_creates_nothing(self, end_offset, capacity, message):
        start = at(DAY, 9)
        with pytest.raises(services.PostError, match=message):
            services.create_post(
                title="x", place="y", start=start, end=start + end_offset, capacity=capacity
            )
        assert not Post.objects.exists()


@pytest.mark.django_db
class TestSubmitVolunteerOffer:
    def test_an_offer_without_a_team_goes_to_the_pool(self, parent):
        offer = services.submit_volunteer_offer(parent, message="我周末有空", source="classes:x")
        assert offer.team is None
        assert offer.status == Membership.Status.PENDING
        assert offer.source == "classes:x"

    def test_it_is_idempotent_while_pending(self, parent, team_leader):
        team = make_team(leader=team_leader)
        first = services.submit_volunteer_offer(parent, team=team)
        second = services.submit_volunteer_offer(parent, team=team, message="again")
        pool1 = services.submit_volunteer_offer(parent)
        pool2 = services.submit_volunteer_offer(parent)
        assert first.pk == second.pk
        assert pool1.pk == pool2.pk
        assert Membership.objects.filter(user=parent).count() == 2

    def test_the_leader_gets_a_notice(self, parent, team_leader):
        team = make_team(leader=team_leader)
        services.submit_volunteer_offer(parent, team=team)
        assert team_leader.notices.count() == 1
