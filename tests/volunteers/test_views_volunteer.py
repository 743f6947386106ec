"""Pages a volunteer uses on the phone: teams, posts, sign-up, schedule, feed, check-in, hours."""

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from portal.notices import Kind, notify
from tests.factories import make_user
from tests.volunteers.helpers import make_member, make_post
from volunteers import services
from volunteers.models import Certificate, HoursEntry, Membership, Signup


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.django_db
class TestTeams:
    def test_the_team_list_shows_teams_with_leader_and_members(self, client, team, volunteer):
        make_member(volunteer, team)
        response = client.get(reverse("volunteers:teams"))
        assert response.status_code == 200
        assert "补鞋队" in response.text
        assert "陈队长" in response.text

    def test_applying_records_a_pending_application(self, client, team, resident):
        client.force_login(resident)
        response = client.post(
            reverse("volunteers:team-apply", args=[team.slug]), {"message": "我会补鞋"}
        )
        assert response.status_code == 302
        membership = Membership.objects.get(user=resident, team=team)
        assert membership.status == Membership.Status.PENDING
        assert membership.message == "我会补鞋"

    def test_a_second_application_is_refused_with_a_message(self, client, team, resident):
        client.force_login(resident)
        url = reverse("volunteers:team-apply", args=[team.slug])
        client.post(url, {"message": ""})
        response = client.post(url, {"message": "again"}, follow=True)
        assert any("already applied" in m for m in messages_of(response))
        assert Membership.objects.filter(user=resident).count() == 1

    def test_applying_needs_a_login_and_a_post(self, client, team, resident):
        url = reverse("volunteers:team-apply", args=[team.slug])
        assert client.post(url).status_code == 302
        assert not Membership.objects.exists()
        client.force_login(resident)
        assert client.get(url).status_code == 405


@pytest.mark.django_db
class TestSignupViews:
    def test_signing_up_redirects_to_my_schedule_which_shows_the_post(
        self, client, post, volunteer
    ):
        client.force_login(volunteer)
        response = client.post(reverse("volunteers:post-signup", args=[post.pk]))
        assert response.status_code == 302
        assert response.url == reverse("volunteers:my-schedule")
        assert Signup.objects.get(volunteer=volunteer).status == Signup.Status.CONFIRMED
        page = client.get(response.url)
        assert "补鞋" in page.text
        assert "陈队长" in page.text  # the leader's contact

    def test_a_full_post_says_so_and_offers_the_waiting_list(self, client, team, volunteer):
        post = make_post(team=team, capacity=1)
        services.sign_up(post, make_user("甲"))
        client.force_login(volunteer)
        response = client.post(reverse("volunteers:post-signup", args=[post.pk]), follow=True)
        assert any("full" in m for m in messages_of(response))
        assert "waitlist" in response.text
        assert not Signup.objects.filter(volunteer=volunteer).exists()
        client.post(reverse("volunteers:post-signup", args=[post.pk]), {"waitlist": "1"})
        assert Signup.objects.get(volunteer=volunteer).status == Signup.Status.WAITLISTED

    def test_the_post_page_explains_why_i_cannot_sign_up(self, client, team, volunteer):
        first = make_post(team=team, title="补鞋", start_hour=9)
        clash = make_post(team=team, title="磨刀", start_hour=10)
        services.sign_up(first, volunteer)
        client.force_login(volunteer)
        response = client.get(reverse("volunteers:post-detail", args=[clash.pk]))
        assert "overlaps another of your posts" in response.text

    def test_i_cannot_cancel_someone_elses_signup(self, client, post, volunteer, resident):
        signup = services.sign_up(post, resident)
        client.force_login(volunteer)
        response = client.post(reverse("volunteers:signup-cancel", args=[signup.pk]))
        assert response.status_code == 404
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED

    def test_cancelling_after_the_cutoff_shows_why(self, client, post, volunteer, time_machine):
        signup = services.sign_up(post, volunteer)
        time_machine.move_to(post.start - timedelta(hours=2), tick=False)
        client.force_login(volunteer)
        response = client.post(reverse("volunteers:signup-cancel", args=[signup.pk]), follow=True)
        assert any("24 hours" in m for m in messages_of(response))
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED

    def test_posts_i_can_take_hides_full_clashing_and_members_only_posts(
        self, client, team, volunteer, team_leader
    ):
        from tests.volunteers.helpers import make_team

        open_post = make_post(team=team, title="可报名", start_hour=14)
        full = make_post(team=team, title="已满", start_hour=16, capacity=1)
        services.sign_up(full, make_user("甲"))
        mine = make_post(team=team, title="我的", start_hour=8, hours=1)
        services.sign_up(mine, volunteer)
        closed_team = make_team("党员先锋队", leader=team_leader, is_open=False, slug="party")
        make_post(team=closed_team, title="党员专岗", start_hour=18)
        client.force_login(volunteer)
        response = client.get(reverse("volunteers:posts-for-me"))
        titles = [p.title for p in response.context["posts"]]
        assert titles == [open_post.title]


@pytest.mark.django_db
class TestMySchedule:
    def test_the_calendar_feed_lists_my_posts(self, client, post, volunteer):
        services.sign_up(post, volunteer)
        profile = services.ensure_profile(volunteer)
        response = client.get(reverse("volunteers:calendar-feed", args=[profile.calendar_token]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        cal = Calendar.from_ical(response.content)
        events = [c for c in cal.walk("VEVENT")]
        assert [str(e["summary"]) for e in events] == ["补鞋"]
        assert events[0].decoded("dtstart") == post.start

    def test_resetting_the_link_turns_off_the_old_one(self, client, volunteer):
        old = services.ensure_profile(volunteer).calendar_token
        client.force_login(volunteer)
        response = client.post(reverse("volunteers:calendar-reset"))
        assert response.status_code == 302
        assert client.get(reverse("volunteers:calendar-feed", args=[old])).status_code == 404
        new = services.ensure_profile(volunteer).calendar_token
        assert new != old
        assert client.get(reverse("volunteers:calendar-feed", args=[new])).status_code == 200

    def test_notices_are_marked_read(self, client, volunteer):
        notify(volunteer, Kind.OTHER, "你好", reverse("volunteers:my-schedule"))
        client.force_login(volunteer)
        client.post(reverse("volunteers:notices-read"))
        assert not volunteer.notices.filter(read_at__isnull=True).exists()


@pytest.mark.django_db
class TestCheckinPage:
    def test_scanning_the_code_and_tapping_checks_in(self, client, post, volunteer, time_machine):
        signup = services.sign_up(post, volunteer)
        time_machine.move_to(post.start, tick=False)
        client.force_login(volunteer)
        url = reverse("volunteers:checkin", args=[post.checkin_token])
        assert "Check in now" in client.get(url).text or client.get(url).status_code == 200
        response = client.post(url)
        assert response.status_code == 302
        signup.refresh_from_db()
        assert signup.checked_in_at == post.start

    def test_a_forged_code_is_a_404_with_an_explanation(self, client, post, volunteer):
        client.force_login(volunteer)
        response = client.get(reverse("volunteers:checkin", args=["1.forged:abc"]))
        assert response.status_code == 404
        assert "not valid" in response.text

    def test_checking_in_far_from_the_time_is_refused(self, client, post, volunteer):
        signup = services.sign_up(post, volunteer)
        client.force_login(volunteer)
        response = client.post(
            reverse("volunteers:checkin", args=[post.checkin_token]), follow=True
        )
        assert any("minutes before" in m for m in messages_of(response))
        signup.refresh_from_db()
        assert signup.checked_in_at is None


@pytest.mark.django_db
class TestHoursPages:
    @pytest.fixture
    def served(self, post, volunteer, team_leader):
        signup = services.sign_up(post, volunteer)
        services.check_in(signup, by=team_leader, at=post.start)
        services.confirm_hours(signup, by=team_leader, at=post.end)
        return signup

    def test_my_hours_shows_total_and_star_progress(self, client, served, volunteer):
        client.force_login(volunteer)
        response = client.get(reverse("volunteers:my-hours"))
        assert response.context["total"] == 2
        assert response.context["progress"]["percent"] == 2
        assert "98" in response.text  # hours to the next star

    def test_asking_for_a_correction(self, client, served, volunteer):
        client.force_login(volunteer)
        response = client.post(
            reverse("volunteers:correction-request", args=[served.pk]),
            {"hours": "2.5", "reason": "多服务了半小时"},
        )
        assert response.status_code == 302
        assert served.corrections.get().hours == 2.5

    def test_a_bad_correction_shows_the_form_error_and_saves_nothing(
        self, client, served, volunteer
    ):
        client.force_login(volunteer)
        response = client.post(
            reverse("volunteers:correction-request", args=[served.pk]),
            {"hours": "-1", "reason": ""},
            follow=True,
        )
        assert messages_of(response)
        assert not served.corrections.exists()

    def test_issuing_a_certificate_and_verifying_it_publicly(self, client, served, volunteer):
        client.force_login(volunteer)
        response = client.post(reverse("volunteers:certificate-issue"))
        certificate = Certificate.objects.get()
        assert response.url == certificate.get_absolute_url()
        page = client.get(response.url)
        assert certificate.verification_code in page.text
        assert "<svg" in page.text
        client.logout()
        verify = client.get(reverse("volunteers:verify"), {"code": certificate.verification_code})
        assert verify.context["certificate"] == certificate
        assert volunteer.mobile not in verify.text
        assert "Building" not in verify.text and "楼" not in verify.text

    def test_a_wrong_code_does_not_verify(self, client):
        response = client.get(reverse("volunteers:verify"), {"code": "NOPE12345678"})
        assert response.context["certificate"] is None
        assert response.context["checked"]

    def test_someone_else_cannot_open_my_certificate(self, client, served, volunteer, resident):
        certificate = services.issue_certificate(volunteer)
        client.force_login(resident)
        assert client.get(certificate.get_absolute_url()).status_code == 404

    def test_no_certificate_without_hours_is_explained(self, client, resident):
        client.force_login(resident)
        response = client.post(reverse("volunteers:certificate-issue"), follow=True)
        assert any("no confirmed" in m for m in messages_of(response))
        assert not Certificate.objects.exists()
        assert not HoursEntry.objects.exists()


@pytest.mark.django_db
def test_a_member_can_leave_a_team(client, team, volunteer):
    make_member(volunteer, team)
    client.force_login(volunteer)
    client.post(reverse("volunteers:team-leave", args=[team.slug]))
    assert not Membership.objects.approved().filter(user=volunteer).exists()
    response = client.post(reverse("volunteers:team-leave", args=[team.slug]), follow=True)
    assert any("not a member" in m for m in messages_of(response))


@pytest.mark.django_db
def test_the_calendar_ignores_a_bad_year(client, service_day):
    response = client.get(reverse("volunteers:calendar"), {"year": "abc"})
    assert response.status_code == 200
    assert response.context["year"] == 2026
