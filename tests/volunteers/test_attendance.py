"""Check-in and out (QR and roster), leader confirmation, hours credited, no-shows."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories import make_user
from tests.volunteers.helpers import make_post
from volunteers import services
from volunteers.models import HoursEntry, Signup


@pytest.fixture
def signup(post, volunteer):
    return services.sign_up(post, volunteer)


@pytest.mark.django_db
class TestQrCheckin:
    def test_scanning_twice_checks_in_then_out(self, post, signup, volunteer):
        direction, _ = services.scan_checkin(post.checkin_token, volunteer, at=post.start)
        assert direction == "in"
        direction, _ = services.scan_checkin(
            post.checkin_token, volunteer, at=post.end - timedelta(minutes=10)
        )
        assert direction == "out"
        signup.refresh_from_db()
        assert signup.checked_in_at == post.start
        assert signup.checked_out_at == post.end - timedelta(minutes=10)
        assert signup.hours_confirmed_at is None  # the leader still confirms
        assert not HoursEntry.objects.exists()

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
            lambda t: "999." + t.split(".", 1)[1],
            lambda t: "nonsense",
        ],
        ids=["bad-signature", "other-post-id", "garbage"],
    )
    def test_a_forged_qr_code_is_refused(self, post, signup, volunteer, mangle):
        with pytest.raises(services.AttendanceError, match="QR code is not valid"):
            services.scan_checkin(mangle(post.checkin_token), volunteer, at=post.start)
        signup.refresh_from_db()
        assert signup.checked_in_at is None

    def test_an_old_code_stops_working_when_the_key_changes(self, post, signup, volunteer):
        token = post.checkin_token
        post.checkin_key = "rotated"
        post.save()
        with pytest.raises(services.AttendanceError, match="not valid"):
            services.scan_checkin(token, volunteer, at=post.start)

    def test_someone_not_signed_up_cannot_check_in(self, post, resident):
        with pytest.raises(services.AttendanceError, match="not signed up"):
            services.scan_checkin(post.checkin_token, resident, at=post.start)

    def test_it_refuses_far_from_the_posts_time(self, post, signup, volunteer):
        with pytest.raises(services.AttendanceError, match="minutes before"):
            services.scan_checkin(post.checkin_token, volunteer, at=post.start - timedelta(hours=3))
        with pytest.raises(services.AttendanceError, match="over"):
            services.scan_checkin(post.checkin_token, volunteer, at=post.end + timedelta(hours=3))
        signup.refresh_from_db()
        assert signup.checked_in_at is None


@pytest.mark.django_db
class TestLeaderRoster:
    def test_the_leaders_confirmation_credits_rounded_hours(self, post, signup, team_leader):
        services.check_in(signup, by=team_leader, at=post.start + timedelta(minutes=5))
        services.check_out(signup, by=team_leader, at=post.start + timedelta(minutes=105))
        services.confirm_hours(signup, by=team_leader, at=post.start + timedelta(minutes=106))
        signup.refresh_from_db()
        assert signup.hours_confirmed_by == team_leader
        entry = HoursEntry.objects.get()
        assert entry.hours == Decimal("1.5")  # 1 h 40 min → 1.5
        assert entry.kind == HoursEntry.Kind.CREDIT
        assert entry.created_by == team_leader
        assert entry.team == post.team

    def test_less_than_the_minimum_share_credits_nothing(self, post, signup, team_leader):
        services.check_in(signup, by=team_leader, at=post.start)
        services.check_out(signup, by=team_leader, at=post.start + timedelta(minutes=60))
        services.confirm_hours(signup, by=team_leader, at=post.end)
        entry = HoursEntry.objects.get()
        assert entry.hours == 0
        assert "60%" in entry.reason

    @pytest.mark.parametrize(
        "seconds,credited",
        [(71 * 60 + 24, False), (72 * 60 - 1, False), (72 * 60, True)],
        ids=["59.5%-is-not-60%", "one-second-short", "exactly-60%"],
    )
    def test_the_minimum_share_holds_to_the_second(
        self, post, signup, team_leader, seconds, credited
    ):
        assert post.end - post.start == timedelta(hours=2)  # 60 % is 72 minutes
        services.check_in(signup, by=team_leader, at=post.start)
        out = post.start + timedelta(seconds=seconds)
        services.check_out(signup, by=team_leader, at=out)
        services.confirm_hours(signup, by=team_leader, at=out)  # check-out no longer confirms
        entry = HoursEntry.objects.get()
        assert (entry.hours > 0) is credited
        if not credited:
            assert "59%" in entry.reason

    def test_without_a_check_out_the_scheduled_time_is_credited_on_confirmation(
        self, post, signup, team_leader
    ):
        services.check_in(signup, by=team_leader, at=post.start)
        services.confirm_hours(signup, by=team_leader, at=post.end + timedelta(hours=1))
        assert HoursEntry.objects.get().hours == Decimal("2")

    def test_time_beyond_the_post_is_not_credited(self, post, signup, team_leader):
        services.check_in(signup, by=team_leader, at=post.start - timedelta(minutes=30))
        services.check_out(signup, by=team_leader, at=post.end + timedelta(minutes=30))
        services.confirm_hours(signup, by=team_leader, at=post.end + timedelta(minutes=30))
        assert HoursEntry.objects.get().hours == Decimal("2")

    def test_hours_are_confirmed_only_once(self, post, signup, team_leader):
        services.check_in(signup, by=team_leader, at=post.start)
        services.confirm_hours(signup, by=team_leader, at=post.end)
        with pytest.raises(services.AttendanceError, match="already confirmed"):
            services.confirm_hours(signup, by=team_leader, at=post.end)
        assert HoursEntry.objects.count() == 1

    def test_confirming_someone_who_never_checked_in_is_refused(self, post, signup, team_leader):
        with pytest.raises(services.AttendanceError, match="not checked in"):
            services.confirm_hours(signup, by=team_leader, at=post.end)
        assert not HoursEntry.objects.exists()

    def test_a_waitlisted_volunteer_cannot_check_in(self, team, team_leader, volunteer):
        post = make_post(team=team, capacity=1)
        services.sign_up(post, make_user("甲"))
        waiting = services.sign_up(post, volunteer, waitlist=True)
        with pytest.raises(services.AttendanceError, match="confirmed place"):
            services.check_in(waiting, by=team_leader, at=post.start)


@pytest.mark.django_db
class TestNoShows:
    def test_a_no_show_is_recorded_after_the_start(self, post, signup, team_leader):
        with pytest.raises(services.AttendanceError, match="once the post has started"):
            services.mark_no_show(signup, by=team_leader, at=post.start - timedelta(minutes=1))
        services.mark_no_show(signup, by=team_leader, at=post.start + timedelta(minutes=30))
        signup.refresh_from_db()
        assert signup.attendance == Signup.Attendance.NO_SHOW

    def test_someone_who_checked_in_is_not_a_no_show(self, post, signup, team_leader):
        services.check_in(signup, by=team_leader, at=post.start)
        with pytest.raises(services.AttendanceError, match="they were there"):
            services.mark_no_show(signup, by=team_leader, at=post.end)

    def test_reaching_the_limit_puts_signups_on_hold_until_cleared(
        self, team, volunteer, team_leader, rules
    ):
        rules.no_show_limit = 2
        rules.save()
        for hour in (8, 11):
            post = make_post(team=team, start_hour=hour, hours=1)
            signup = services.sign_up(post, volunteer)
            services.mark_no_show(signup, by=team_leader, at=post.end)
        profile = services.ensure_profile(volunteer)
        profile.refresh_from_db()
        assert profile.needs_approval
        assert volunteer.notices.filter(text__contains="队长审批").exists()
        later = make_post(team=team, start_hour=15, hours=1)
        assert services.sign_up(later, volunteer).status == Signup.Status.PENDING

        services.clear_no_shows(profile, by=team_leader)
        profile.refresh_from_db()
        assert not profile.needs_approval
        next_post = make_post(team=team, start_hour=18, hours=1)
        assert services.sign_up(next_post, volunteer).status == Signup.Status.CONFIRMED


@pytest.mark.django_db
def test_arriving_early_earns_nothing_extra(post, volunteer, team_leader):
    signup = services.sign_up(post, volunteer)
    services.check_in(signup, by=team_leader, at=post.start - timedelta(minutes=40))
    services.check_out(signup, by=team_leader, at=post.start + timedelta(minutes=80))
    services.confirm_hours(signup, by=team_leader, at=post.end)
    # 80 minutes of the post's 120: 67% attended, credited 1 h 20 min → 1.5 h
    assert HoursEntry.objects.get().hours == Decimal("1.5")
