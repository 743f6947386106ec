"""Public pages show no phones or addresses; names only as volunteers allow; scoped admin."""

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from portal import roles
from tests.factories import make_user
from tests.volunteers.helpers import make_member, make_post, make_team
from volunteers import services
from volunteers.admin import HoursEntryAdmin, MembershipAdmin, SignupAdmin
from volunteers.models import HoursEntry, Membership, Signup


@pytest.fixture
def served(post, volunteer, team_leader, team):
    make_member(volunteer, team)
    signup = services.sign_up(post, volunteer)
    services.check_in(signup, by=team_leader, at=post.start)
    services.confirm_hours(signup, by=team_leader, at=post.end)
    return signup


@pytest.mark.django_db
class TestPublicPages:
    def test_team_pages_hide_phones_addresses_and_unconsented_names(
        self, client, team, served, volunteer
    ):
        for url in [
            reverse("volunteers:teams"),
            reverse("volunteers:team-detail", args=[team.slug]),
            reverse("volunteers:post-detail", args=[served.post_id]),
            reverse("volunteers:day-detail", args=[served.post.start.date().isoformat()]),
        ]:
            text = client.get(url).text
            assert volunteer.mobile not in text, url
            assert volunteer.real_name not in text, url
            assert "Building 4" not in text, url

    def test_a_volunteer_who_allows_it_is_named_on_the_leaderboard(
        self, client, team, served, volunteer
    ):
        services.set_name_visibility(volunteer, True)
        text = client.get(reverse("volunteers:team-detail", args=[team.slug])).text
        assert volunteer.real_name in text
        assert volunteer.mobile not in text

    def test_the_calendar_feed_needs_the_right_token(self, client):
        assert client.get(reverse("volunteers:calendar-feed", args=["guess"])).status_code == 404

    def test_volunteers_pages_need_a_login(self, client):
        for name in ["volunteers:my-schedule", "volunteers:my-hours", "volunteers:posts-for-me"]:
            response = client.get(reverse(name))
            assert response.status_code == 302
            assert "/accounts/login/" in response.url


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.django_db
class TestAdmin:
    def test_a_leader_sees_only_their_teams_rows(self, team, served, volunteer):
        from django.contrib import admin

        other_leader = make_user("孙队长", role_list=[roles.TEAM_LEADER])
        other_team = make_team("磨刀队", leader=other_leader, slug="knives")
        services.sign_up(make_post(team=other_team, start_hour=14), make_user("甲"))
        services.submit_volunteer_offer(make_user("乙"), team=other_team)
        for model_admin, model in [(SignupAdmin, Signup), (MembershipAdmin, Membership)]:
            ma = model_admin(model, admin.site)
            mine = ma.get_queryset(_request(team.leader))
            theirs = ma.get_queryset(_request(other_leader))
            assert set(mine) & set(theirs) == set()
            assert mine.count() >= 1 and theirs.count() >= 1

    def test_the_coordinator_sees_every_row(self, team, served, coordinator):
        from django.contrib import admin

        ma = SignupAdmin(Signup, admin.site)
        assert ma.get_queryset(_request(coordinator)).count() == Signup.objects.count()

    def test_ledger_rows_cannot_be_edited_or_deleted(self, served, coordinator):
        from django.contrib import admin

        ma = HoursEntryAdmin(HoursEntry, admin.site)
        entry = HoursEntry.objects.get()
        assert not ma.has_delete_permission(_request(coordinator), entry)
        assert "hours" in ma.get_readonly_fields(_request(coordinator), entry)

    def test_the_coordinator_can_open_the_volunteer_admin(self, client, coordinator, served):
        client.force_login(coordinator)
        for model in ["team", "post", "signup", "hoursentry", "membership", "certificate"]:
            assert client.get(f"/admin/volunteers/{model}/").status_code == 200

    def test_the_leader_group_may_view_the_ledger_but_never_change_it(self, db):
        held = set(
            Permission.objects.filter(
                group__name=roles.TEAM_LEADER, content_type__app_label="volunteers"
            ).values_list("codename", flat=True)
        )
        assert {"view_post", "change_post", "view_signup", "view_hoursentry"} <= held
        assert not {"change_hoursentry", "delete_hoursentry", "delete_team", "add_team"} & held

    def test_a_leaders_admin_changelist_shows_only_their_team(self, client, team, served):
        other_leader = make_user("孙队长", role_list=[roles.TEAM_LEADER])
        other_team = make_team("磨刀队", leader=other_leader, slug="knives")
        make_post(team=other_team, start_hour=14, title="别队的岗位")
        client.force_login(team.leader)
        response = client.get("/admin/volunteers/post/")
        assert response.status_code == 200
        assert "别队的岗位" not in response.text


@pytest.mark.django_db
def test_team_members_are_named_only_with_consent(client, team, volunteer, resident):
    make_member(volunteer, team)
    make_member(resident, team)
    services.set_name_visibility(resident, True)
    text = client.get(reverse("volunteers:team-detail", args=[team.slug])).text
    assert resident.real_name in text
    assert volunteer.real_name not in text
    assert "and 1 more volunteer" in text


@pytest.mark.django_db
def test_a_leader_can_only_choose_their_own_team_in_the_admin(team, team_leader):
    from django.contrib import admin

    from volunteers.admin import PostAdmin
    from volunteers.models import Post

    make_team("别的队", slug="other")
    field = PostAdmin(Post, admin.site).formfield_for_foreignkey(
        Post._meta.get_field("team"), _request(team_leader)
    )
    assert list(field.queryset) == [team]


@pytest.mark.django_db
def test_choosing_a_leader_in_the_admin_gives_them_the_leader_role(client, coordinator, resident):
    client.force_login(coordinator)
    response = client.post(
        "/admin/volunteers/team/add/",
        {
            "name": "新队",
            "slug": "new",
            "leader": resident.pk,
            "is_open": "on",
            "sort_order": 0,
            "description": "",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.has_role(roles.TEAM_LEADER)
    assert resident.is_staff
