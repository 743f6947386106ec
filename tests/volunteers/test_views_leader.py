"""Leaders manage only their own team: applications, posts, roster, attendance, messages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.timezone import localtime

from portal import roles
from portal.models import Notice
from tests.factories import make_user
from tests.volunteers.helpers import DAY, make_member, make_post, make_team
from volunteers import services
from volunteers.models import HoursEntry, Membership, Post, Signup


@pytest.fixture
def other_leader(db):
    return make_user("孙队长", role_list=[roles.RESIDENT, roles.VOLUNTEER, roles.TEAM_LEADER])


@pytest.fixture
def other_team(other_leader):
    return make_team("磨刀队", leader=other_leader, slug="knives")


@pytest.mark.django_db
class TestAccess:
    def test_a_leader_opens_their_team(self, client, team, team_leader):
        client.force_login(team_leader)
        assert client.get(reverse("volunteers:lead-team", args=[team.slug])).status_code == 200
        # one team: the leader's home goes straight to it
        response = client.get(reverse("volunteers:lead"))
        assert response.url == reverse("volunteers:lead-team", args=[team.slug])

    @pytest.mark.parametrize("who", ["other_leader", "volunteer", "events_staff"])
    def test_others_cannot_open_the_team_or_its_roster(self, client, team, post, who, request):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("volunteers:lead-team", args=[team.slug])).status_code == 403
        assert client.get(reverse("volunteers:roster", args=[post.pk])).status_code == 403

    def test_a_leader_cannot_act_on_another_teams_roster(
        self, client, other_team, team_leader, volunteer
    ):
        post = make_post(team=other_team)
        signup = services.sign_up(post, volunteer)
        client.force_login(team_leader)
        response = client.post(
            reverse("volunteers:roster-action", args=[signup.pk]), {"action": "in"}
        )
        assert response.status_code == 403
        signup.refresh_from_db()
        assert signup.checked_in_at is None

    def test_teamless_posts_belong_to_the_coordinator(self, client, team_leader, coordinator):
        post = make_post(team=None, source="canteen:love-meal")
        client.force_login(team_leader)
        assert client.get(reverse("volunteers:roster", args=[post.pk])).status_code == 403
        client.force_login(coordinator)
        assert client.get(reverse("volunteers:roster", args=[post.pk])).status_code == 200

    def test_an_unknown_team_is_a_404(self, client, team_leader):
        client.force_login(team_leader)
        assert client.get(reverse("volunteers:lead-team", args=["nope"])).status_code == 404


@pytest.mark.django_db
class TestApplications:
    def test_approving_makes_a_member_and_tells_them(
        self, client, team, team_leader, resident, django_capture_on_commit_callbacks
    ):
        resident.email = "r@example.com"
        resident.save()
        membership = services.apply_to_team(resident, team)
        client.force_login(team_leader)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("volunteers:membership-decide", args=[membership.pk]),
                {"decision": "approve", "message": "欢迎"},
            )
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.status == Membership.Status.APPROVED
        assert membership.decided_by == team_leader
        resident.refresh_from_db()
        assert resident.has_role(roles.VOLUNTEER)
        assert resident.volunteer_profile.number
        assert Notice.objects.filter(recipient=resident, text__contains="欢迎加入补鞋队").exists()
        assert mail.outbox[-1].to == ["r@example.com"]
        assert mail.outbox[-1].subject == "公园路社区：入队申请结果"

    def test_an_english_reader_is_told_in_english_whatever_the_leaders_language(
        self, client, team, team_leader, resident, django_capture_on_commit_callbacks
    ):
        resident.email, resident.language = "r@example.com", "en"
        resident.save()
        membership = services.apply_to_team(resident, team)
        client.force_login(team_leader)
        client.cookies["portal_language"] = "zh-hans"
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("volunteers:membership-decide", args=[membership.pk]),
                {"decision": "approve", "message": ""},
            )
        notice = Notice.objects.get(recipient=resident)
        assert notice.text == "Welcome to 补鞋队! You can now sign up for its posts."
        assert mail.outbox[-1].subject == "公园路社区: team application decided"
        assert mail.outbox[-1].body.startswith("Welcome to 补鞋队!")

    def test_declining_needs_a_message(self, client, team, team_leader, resident):
        membership = services.apply_to_team(resident, team)
        client.force_login(team_leader)
        client.post(
            reverse("volunteers:membership-decide", args=[membership.pk]),
            {"decision": "decline", "message": ""},
        )
        membership.refresh_from_db()
        assert membership.status == Membership.Status.PENDING
        client.post(
            reverse("volunteers:membership-decide", args=[membership.pk]),
            {"decision": "decline", "message": "名额已满"},
        )
        membership.refresh_from_db()
        assert membership.status == Membership.Status.DECLINED
        assert membership.decision_message == "名额已满"

    def test_another_leader_cannot_answer(self, client, team, other_leader, resident):
        membership = services.apply_to_team(resident, team)
        client.force_login(other_leader)
        response = client.post(
            reverse("volunteers:membership-decide", args=[membership.pk]),
            {"decision": "approve"},
        )
        assert response.status_code == 403
        membership.refresh_from_db()
        assert membership.status == Membership.Status.PENDING


@pytest.mark.django_db
class TestRoster:
    def test_the_roster_shows_phones_and_a_qr_code(self, client, post, team_leader, volunteer):
        services.sign_up(post, volunteer)
        client.force_login(team_leader)
        response = client.get(reverse("volunteers:roster", args=[post.pk]))
        assert volunteer.mobile in response.text
        assert "<svg" in response.text
        assert post.checkin_token in response.text

    def test_tapping_in_and_out_credits_hours(
        self, client, post, team_leader, volunteer, time_machine
    ):
        signup = services.sign_up(post, volunteer)
        client.force_login(team_leader)
        url = reverse("volunteers:roster-action", args=[signup.pk])
        time_machine.move_to(post.start, tick=False)
        assert client.post(url, {"action": "in"}).status_code == 302
        time_machine.move_to(post.end, tick=False)
        client.post(url, {"action": "out"})
        signup.refresh_from_db()
        assert signup.checked_out_at == post.end
        assert not HoursEntry.objects.filter(signup=signup).exists()  # confirming is its own tap
        client.post(url, {"action": "confirm"})
        assert HoursEntry.objects.get(signup=signup).hours == 2

    def test_an_unknown_action_is_a_bad_request(self, client, post, team_leader, volunteer):
        signup = services.sign_up(post, volunteer)
        client.force_login(team_leader)
        response = client.post(
            reverse("volunteers:roster-action", args=[signup.pk]), {"action": "delete"}
        )
        assert response.status_code == 400

    def test_recording_what_the_post_achieved(self, client, post, team_leader):
        client.force_login(team_leader)
        client.post(
            reverse("volunteers:post-outcome", args=[post.pk]),
            {"residents_served": 20, "items_repaired": 15, "meals_delivered": 0, "note": "好"},
        )
        post.refresh_from_db()
        assert (post.residents_served, post.items_repaired) == (20, 15)

    def test_negative_figures_are_refused(self, client, post, team_leader):
        client.force_login(team_leader)
        client.post(
            reverse("volunteers:post-outcome", args=[post.pk]),
            {"residents_served": -3, "items_repaired": 0, "meals_delivered": 0},
        )
        post.refresh_from_db()
        assert post.residents_served == 0

    def test_messaging_the_people_on_a_post(
        self, client, post, team_leader, volunteer, django_capture_on_commit_callbacks
    ):
        services.sign_up(post, volunteer)
        client.force_login(team_leader)
        url = reverse("volunteers:post-message", args=[post.pk])
        assert client.post(url, {"text": "请带工具"}).context["counts"]["inbox"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"text": "请带工具", "confirm": "True"})
        assert Notice.objects.filter(recipient=volunteer, text="请带工具").exists()

    def test_messaging_the_whole_team(
        self, client, team, team_leader, volunteer, resident, django_capture_on_commit_callbacks
    ):
        make_member(volunteer, team)
        client.force_login(team_leader)
        url = reverse("volunteers:team-message", args=[team.slug])
        assert client.post(url, {"text": "开会"}).context["counts"]["inbox"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"text": "开会", "confirm": "True"})
        assert Notice.objects.filter(recipient=volunteer, text="开会").exists()
        assert not Notice.objects.filter(recipient=resident).exists()


@pytest.mark.django_db
class TestPosts:
    def test_a_leader_creates_a_post_for_their_team(self, client, team, team_leader):
        client.force_login(team_leader)
        response = client.post(
            reverse("volunteers:team-post-new", args=[team.slug]),
            {
                "title": "补鞋",
                "place": "广场",
                "day": DAY.isoformat(),
                "start_time": "09:00",
                "end_time": "11:00",
                "capacity": 3,
                "skills": "补鞋",
            },
        )
        post = Post.objects.get()
        assert response.url == reverse("volunteers:roster", args=[post.pk])
        assert post.team == team and post.created_by == team_leader

    @pytest.mark.parametrize(
        "change", [{"end_time": "08:00"}, {"capacity": -1}], ids=["ends-early", "negative"]
    )
    def test_bad_posts_are_refused(self, client, team, team_leader, change):
        client.force_login(team_leader)
        data = {
            "title": "补鞋",
            "place": "广场",
            "day": DAY.isoformat(),
            "start_time": "09:00",
            "end_time": "11:00",
            "capacity": 3,
        }
        data.update(change)
        response = client.post(reverse("volunteers:team-post-new", args=[team.slug]), data)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not Post.objects.exists()

    def test_the_new_post_form_shows(self, client, team, team_leader, other_leader):
        client.force_login(team_leader)
        assert client.get(reverse("volunteers:team-post-new", args=[team.slug])).status_code == 200
        client.force_login(other_leader)
        assert client.get(reverse("volunteers:team-post-new", args=[team.slug])).status_code == 403


@pytest.mark.django_db
class TestCorrectionsAndHolds:
    def test_the_leader_approves_a_correction(self, client, post, team_leader, volunteer):
        signup = services.sign_up(post, volunteer)
        services.check_in(signup, by=team_leader, at=post.start)
        services.confirm_hours(signup, by=team_leader, at=post.end)
        request = services.request_correction(signup, user=volunteer, hours=3, reason="晚走")
        client.force_login(team_leader)
        client.post(
            reverse("volunteers:correction-decide", args=[request.pk]),
            {"decision": "approve", "reason": "确认"},
        )
        assert HoursEntry.objects.filter(volunteer=volunteer).total() == 3

    def test_the_leader_clears_a_no_show_hold(self, client, team, team_leader, volunteer):
        make_member(volunteer, team)
        profile = services.ensure_profile(volunteer)
        profile.needs_approval = True
        profile.save()
        client.force_login(team_leader)
        client.post(reverse("volunteers:clear-hold", args=[team.slug, profile.pk]))
        profile.refresh_from_db()
        assert not profile.needs_approval

    def test_a_pending_signup_is_approved_from_the_team_page(
        self, client, post, team, team_leader, volunteer
    ):
        profile = services.ensure_profile(volunteer)
        profile.needs_approval = True
        profile.save()
        signup = services.sign_up(post, volunteer)
        client.force_login(team_leader)
        client.post(reverse("volunteers:signup-decide", args=[signup.pk]), {"decision": "approve"})
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED


@pytest.mark.django_db
def test_no_show_from_the_roster(client, post, team_leader, volunteer, time_machine):
    signup = services.sign_up(post, volunteer)
    time_machine.move_to(post.start + timedelta(hours=1), tick=False)
    client.force_login(team_leader)
    client.post(reverse("volunteers:roster-action", args=[signup.pk]), {"action": "no_show"})
    signup.refresh_from_db()
    assert signup.attendance == Signup.Attendance.NO_SHOW


@pytest.mark.django_db
class TestEditPost:
    def test_the_leader_moves_a_post_and_adds_places(self, client, post, team_leader, volunteer):
        services.sign_up(post, make_user("甲"))
        services.update_post(post, by=team_leader, capacity=1)
        waiting = services.sign_up(post, volunteer, waitlist=True)
        client.force_login(team_leader)
        response = client.post(
            reverse("volunteers:post-edit", args=[post.pk]),
            {
                "title": "补鞋摊",
                "place": "广场",
                "day": DAY.isoformat(),
                "start_time": "10:00",
                "end_time": "12:00",
                "capacity": 2,
            },
        )
        assert response.status_code == 302
        post.refresh_from_db()
        assert post.title == "补鞋摊"
        assert post.start.hour == 2  # 10:00 Shanghai is 02:00 UTC
        waiting.refresh_from_db()
        assert waiting.status == Signup.Status.CONFIRMED

    def test_a_new_time_is_told_to_everyone_on_the_post_and_a_new_title_to_nobody(
        self, client, post, team_leader, volunteer
    ):
        services.sign_up(post, volunteer)
        services.update_post(post, by=team_leader, capacity=1)
        waiting = make_user("乙")
        services.sign_up(post, waiting, waitlist=True)
        client.force_login(team_leader)
        form = {
            "title": "补鞋",
            "place": post.place,
            "day": DAY.isoformat(),
            "start_time": localtime(post.start).strftime("%H:%M"),
            "end_time": localtime(post.end).strftime("%H:%M"),
            "capacity": 1,
        }
        url = reverse("volunteers:post-edit", args=[post.pk])
        assert client.post(url, form).status_code == 302
        assert not Notice.objects.filter(kind=Notice.Kind.TIME_CHANGED).exists()

        assert (
            client.post(url, form | {"start_time": "14:00", "end_time": "16:00"}).status_code == 302
        )
        told = Notice.objects.filter(kind=Notice.Kind.TIME_CHANGED)
        assert set(told.values_list("recipient", flat=True)) == {volunteer.pk, waiting.pk}
        text = told.get(recipient=volunteer).text
        assert f"{DAY:%Y-%m-%d} 14:00–16:00" in text and "原为" in text

    def test_places_taken_cannot_be_removed(self, client, post, team_leader, volunteer):
        services.sign_up(post, volunteer)
        services.sign_up(post, make_user("甲"))
        client.force_login(team_leader)
        response = client.post(
            reverse("volunteers:post-edit", args=[post.pk]),
            {
                "title": "补鞋",
                "place": "广场",
                "day": DAY.isoformat(),
                "start_time": "09:00",
                "end_time": "11:00",
                "capacity": 1,
            },
        )
        assert response.status_code == 200
        assert "places are taken" in response.text
        post.refresh_from_db()
        assert post.capacity == 3

    def test_another_leader_cannot_edit(self, client, post, other_leader):
        client.force_login(other_leader)
        assert client.get(reverse("volunteers:post-edit", args=[post.pk])).status_code == 403


@pytest.mark.django_db
def test_the_printable_roster_has_signature_lines(client, post, team_leader, volunteer):
    services.sign_up(post, volunteer)
    client.force_login(team_leader)
    response = client.get(reverse("volunteers:roster", args=[post.pk]), {"print": "1"})
    assert "roster-print" in response.text
    assert volunteer.display_name in response.text
    assert 'value="in"' not in response.text


@pytest.mark.django_db
def test_a_leader_cannot_confirm_their_own_hours(post, team_leader):
    signup = services.sign_up(post, team_leader)
    services.check_in(signup, by=team_leader, at=post.start)
    with pytest.raises(services.AttendanceError, match="own hours"):
        services.confirm_hours(signup, by=team_leader, at=post.end)
    assert not HoursEntry.objects.exists()


@pytest.mark.django_db
class TestSignUpOnBehalf:
    def test_the_leader_signs_up_a_member_without_a_smartphone(
        self, client, post, team, team_leader, elder
    ):
        make_member(elder, team)
        client.force_login(team_leader)
        page = client.get(reverse("volunteers:roster", args=[post.pk]))
        assert elder.display_name in page.text
        client.post(reverse("volunteers:roster-add", args=[post.pk]), {"user": elder.pk})
        assert Signup.objects.get(volunteer=elder).status == Signup.Status.CONFIRMED

    def test_only_members_of_the_team_can_be_added(self, client, post, team_leader, resident):
        client.force_login(team_leader)
        response = client.post(
            reverse("volunteers:roster-add", args=[post.pk]), {"user": resident.pk}, follow=True
        )
        assert any("member of the team" in str(m) for m in response.context["messages"])
        assert not Signup.objects.exists()

    def test_the_usual_refusals_apply(self, client, team, team_leader, elder):
        make_member(elder, team)
        post = make_post(team=team, capacity=1)
        services.sign_up(post, make_user("甲"))
        client.force_login(team_leader)
        response = client.post(
            reverse("volunteers:roster-add", args=[post.pk]), {"user": elder.pk}, follow=True
        )
        assert any("full" in str(m) for m in response.context["messages"])
        assert not Signup.objects.filter(volunteer=elder).exists()


@pytest.mark.django_db
def test_the_leader_cancels_a_place_after_the_cutoff_and_the_queue_moves(
    client, team, team_leader, volunteer, time_machine
):
    post = make_post(team=team, capacity=1)
    signup = services.sign_up(post, make_user("甲"))
    waiting = services.sign_up(post, volunteer, waitlist=True)
    time_machine.move_to(post.start - timedelta(hours=2), tick=False)
    client.force_login(team_leader)
    client.post(reverse("volunteers:roster-action", args=[signup.pk]), {"action": "cancel"})
    signup.refresh_from_db()
    waiting.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED
    assert waiting.status == Signup.Status.CONFIRMED


@pytest.mark.django_db
def test_a_bad_day_in_the_message_url_is_a_404(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("volunteers:day-message", args=["2026-99-99"]), {"text": "x"})
    assert response.status_code == 404


@pytest.mark.django_db
class TestRemoveMember:
    def test_the_leader_takes_someone_off_the_team_with_a_reason(
        self, client, team, team_leader, volunteer
    ):
        membership = make_member(volunteer, team)
        client.force_login(team_leader)
        client.post(reverse("volunteers:member-remove", args=[membership.pk]), {"message": ""})
        membership.refresh_from_db()
        assert membership.status == Membership.Status.APPROVED
        client.post(
            reverse("volunteers:member-remove", args=[membership.pk]), {"message": "已搬离社区"}
        )
        membership.refresh_from_db()
        assert membership.status == Membership.Status.LEFT
        assert Notice.objects.filter(recipient=volunteer, text__contains="已搬离社区").exists()

    def test_another_leader_cannot(self, client, team, other_leader, volunteer):
        membership = make_member(volunteer, team)
        client.force_login(other_leader)
        response = client.post(
            reverse("volunteers:member-remove", args=[membership.pk]), {"message": "x"}
        )
        assert response.status_code == 403
        membership.refresh_from_db()
        assert membership.status == Membership.Status.APPROVED


@pytest.mark.django_db
def test_the_team_page_lists_hours_waiting_for_confirmation(
    client, post, team, team_leader, volunteer, time_machine
):
    signup = services.sign_up(post, volunteer)
    services.scan_checkin(post.checkin_token, volunteer, at=post.start)
    services.scan_checkin(post.checkin_token, volunteer, at=post.end)
    time_machine.move_to(post.end + timedelta(hours=1), tick=False)
    client.force_login(team_leader)
    response = client.get(reverse("volunteers:lead-team", args=[team.slug]))
    assert response.context["unconfirmed"] == [signup]
