"""Signing up for posts: the exact refusals, the waiting list, cancellation and promotion."""

from datetime import timedelta

import pytest
from django.core import mail

from portal.models import Notice
from tests.factories import make_user
from tests.volunteers.helpers import DAY, NOW, at, make_member, make_post, make_team
from volunteers import services
from volunteers.models import Signup


@pytest.mark.django_db
class TestSignUp:
    def test_it_confirms_a_place_with_a_seat_number(self, post, volunteer):
        signup = services.sign_up(post, volunteer)
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED
        assert signup.seat == 1

    def test_it_sends_a_confirmation_in_chinese(
        self, post, volunteer, django_capture_on_commit_callbacks
    ):
        volunteer.email = "li@example.com"
        volunteer.save()
        with django_capture_on_commit_callbacks(execute=True):
            services.sign_up(post, volunteer)
        assert mail.outbox[-1].to == ["li@example.com"]
        assert mail.outbox[-1].body.startswith("报名成功：补鞋")
        assert volunteer.notices.get().text.startswith("报名成功")

    def test_it_refuses_when_full_and_says_the_waiting_list_is_open(self, team, volunteer):
        post = make_post(team=team, capacity=1)
        services.sign_up(post, make_user("甲"))
        with pytest.raises(services.SignupError, match="full") as exc:
            services.sign_up(post, volunteer)
        assert exc.value.full is True
        assert not Signup.objects.filter(volunteer=volunteer).exists()

    def test_the_waiting_list_takes_whoever_asks_when_full(self, team, volunteer):
        post = make_post(team=team, capacity=1)
        services.sign_up(post, make_user("甲"))
        signup = services.sign_up(post, volunteer, waitlist=True)
        assert signup.status == Signup.Status.WAITLISTED
        assert signup.seat is None

    def test_it_refuses_a_second_signup_for_the_same_post(self, post, volunteer):
        services.sign_up(post, volunteer)
        with pytest.raises(services.SignupError, match="already signed up"):
            services.sign_up(post, volunteer)
        assert Signup.objects.filter(volunteer=volunteer).count() == 1

    def test_it_refuses_a_post_that_overlaps_another_of_mine(self, team, volunteer):
        first = make_post(team=team, title="补鞋", start_hour=9, hours=2)
        clash = make_post(team=team, title="磨刀", start_hour=10, hours=2)
        services.sign_up(first, volunteer)
        with pytest.raises(services.SignupError, match="overlaps another of your posts: 补鞋"):
            services.sign_up(clash, volunteer)

    def test_back_to_back_posts_do_not_overlap(self, team, volunteer):
        services.sign_up(make_post(team=team, start_hour=9, hours=2), volunteer)
        services.sign_up(make_post(team=team, start_hour=11, hours=1), volunteer)
        assert Signup.objects.filter(volunteer=volunteer).count() == 2

    def test_a_restricted_team_needs_membership(self, team_leader, volunteer):
        team = make_team("党员先锋队", leader=team_leader, is_open=False)
        post = make_post(team=team)
        with pytest.raises(services.SignupError, match="Only members of 党员先锋队"):
            services.sign_up(post, volunteer)
        make_member(volunteer, team)
        assert services.sign_up(post, volunteer).status == Signup.Status.CONFIRMED

    def test_it_refuses_before_signup_opens(self, team, volunteer, rules):
        post = make_post(team=team, day=DAY + timedelta(days=90))
        with pytest.raises(services.SignupError, match="not open yet"):
            services.sign_up(post, volunteer)

    def test_it_refuses_after_the_cutoff(self, post, volunteer, rules):
        rules.signup_closes_hours = 2
        rules.save()
        with pytest.raises(services.SignupError, match="closed"):
            services.sign_up(post, volunteer, at=post.start - timedelta(hours=1))
        assert not Signup.objects.exists()

    def test_it_refuses_a_post_that_is_over(self, post, volunteer):
        with pytest.raises(services.SignupError, match="over"):
            services.sign_up(post, volunteer, at=post.end + timedelta(minutes=1))

    def test_a_volunteer_on_hold_waits_for_the_leaders_approval(self, post, volunteer):
        profile = services.ensure_profile(volunteer)
        profile.needs_approval = True
        profile.save()
        signup = services.sign_up(post, volunteer)
        assert signup.status == Signup.Status.PENDING
        assert signup.seat == 1  # the place is held meanwhile

    def test_signing_up_makes_a_resident_a_volunteer(self, post, resident):
        services.sign_up(post, resident)
        resident.refresh_from_db()
        assert resident.has_role("volunteer")


@pytest.mark.django_db
class TestCancel:
    def test_it_cancels_before_the_cutoff_and_frees_the_seat(self, post, volunteer):
        signup = services.sign_up(post, volunteer)
        services.cancel_signup(signup, by=volunteer)
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CANCELLED
        assert signup.seat is None

    def test_it_refuses_after_the_cutoff(self, post, volunteer):
        signup = services.sign_up(post, volunteer)
        with pytest.raises(services.SignupError, match="24 hours before"):
            services.cancel_signup(signup, by=volunteer, at=post.start - timedelta(hours=3))
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED

    def test_the_leader_may_cancel_after_the_cutoff(self, post, volunteer, team_leader):
        signup = services.sign_up(post, volunteer)
        services.cancel_signup(signup, by=team_leader, at=post.start - timedelta(hours=3))
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CANCELLED

    def test_leaving_the_waiting_list_is_allowed_after_the_cutoff(self, team, volunteer):
        post = make_post(team=team, capacity=1)
        services.sign_up(post, make_user("甲"))
        signup = services.sign_up(post, volunteer, waitlist=True)
        services.cancel_signup(signup, by=volunteer, at=post.start - timedelta(hours=1))
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CANCELLED

    def test_a_cancellation_promotes_the_first_waiting_and_tells_them(
        self, team, volunteer, django_capture_on_commit_callbacks
    ):
        post = make_post(team=team, capacity=1)
        first = services.sign_up(post, make_user("甲"))
        second = make_user("乙", email="yi@example.com")
        waiting = services.sign_up(post, second, waitlist=True)
        later = services.sign_up(post, volunteer, waitlist=True)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel_signup(first, by=first.volunteer)
        waiting.refresh_from_db()
        later.refresh_from_db()
        assert waiting.status == Signup.Status.CONFIRMED
        assert waiting.seat == 1
        assert later.status == Signup.Status.WAITLISTED
        assert Notice.objects.filter(recipient=second, text__contains=post.title).exists()
        assert [m.to for m in mail.outbox] == [["yi@example.com"]]

    def test_cancelling_twice_is_refused(self, post, volunteer):
        signup = services.sign_up(post, volunteer)
        services.cancel_signup(signup, by=volunteer)
        with pytest.raises(services.SignupError, match="already cancelled"):
            services.cancel_signup(signup, by=volunteer)

    def test_more_places_promote_from_the_waiting_list(self, team, volunteer, team_leader):
        post = make_post(team=team, capacity=1)
        services.sign_up(post, make_user("甲"))
        waiting = services.sign_up(post, volunteer, waitlist=True)
        services.update_post(post, by=team_leader, capacity=2)
        waiting.refresh_from_db()
        assert waiting.status == Signup.Status.CONFIRMED

    def test_the_capacity_cannot_drop_below_places_taken(self, team, volunteer, team_leader):
        post = make_post(team=team, capacity=2)
        services.sign_up(post, make_user("甲"))
        services.sign_up(post, volunteer)
        with pytest.raises(services.PostError, match="places are taken"):
            services.update_post(post, by=team_leader, capacity=1)
        post.refresh_from_db()
        assert post.capacity == 2


@pytest.mark.django_db
class TestLeaderApproval:
    def test_the_leader_approves_a_pending_signup(self, post, volunteer, team_leader):
        profile = services.ensure_profile(volunteer)
        profile.needs_approval = True
        profile.save()
        signup = services.sign_up(post, volunteer)
        services.decide_signup(signup, by=team_leader, approve=True)
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED

    def test_declining_frees_the_place_for_the_waiting_list(self, team, volunteer, team_leader):
        post = make_post(team=team, capacity=1)
        profile = services.ensure_profile(volunteer)
        profile.needs_approval = True
        profile.save()
        pending = services.sign_up(post, volunteer)
        other = make_user("乙")
        waiting = services.sign_up(post, other, waitlist=True)
        services.decide_signup(pending, by=team_leader, approve=False)
        pending.refresh_from_db()
        waiting.refresh_from_db()
        assert pending.status == Signup.Status.DECLINED
        assert waiting.status == Signup.Status.CONFIRMED


def test_the_frozen_clock_is_before_the_service_day():
    assert NOW < at(DAY, 9)
