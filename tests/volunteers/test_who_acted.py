"""Every attendance decision on a sign-up records who took it: a check-out, a no-show, the
leader's answer to a sign-up waiting for approval and a lifted approval hold, as a check-in and
a confirmation of hours already did. The roster, the leader's page and the admin go through the
same services, so they record it too, and the admin shows it."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_user
from tests.volunteers.helpers import make_member
from volunteers import services
from volunteers.admin import SignupAdmin, VolunteerProfileAdmin
from volunteers.models import Signup, VolunteerProfile

pytestmark = pytest.mark.django_db

SIGNUP_AUDIT = {
    "checked_out_by",
    "attendance_marked_by",
    "attendance_marked_at",
    "decided_by",
    "decided_at",
}


@pytest.fixture
def signup(post, volunteer):
    return services.sign_up(post, volunteer)


@pytest.fixture
def on_hold(volunteer):
    profile = services.ensure_profile(volunteer)
    VolunteerProfile.objects.filter(pk=profile.pk).update(needs_approval=True)
    return volunteer


@pytest.fixture
def leader_client(client, team_leader):
    client.force_login(team_leader)
    return client


def _fresh(signup):
    return Signup.objects.get(pk=signup.pk)


# Check-out ------------------------------------------------------------------------------------


def test_a_check_out_records_the_leader_who_tapped_it(post, signup, team_leader, volunteer):
    services.check_in(signup, by=volunteer, at=post.start)
    services.check_out(signup, by=team_leader, at=post.end)
    signup = _fresh(signup)
    assert signup.checked_out_at == post.end
    assert signup.checked_out_by == team_leader
    assert signup.checked_in_by == volunteer  # each step keeps its own person


def test_a_scanned_check_out_records_the_volunteer(post, signup, volunteer):
    services.scan_checkin(post.checkin_token, volunteer, at=post.start)
    services.scan_checkin(post.checkin_token, volunteer, at=post.end)
    assert _fresh(signup).checked_out_by == volunteer


def test_undoing_a_check_out_forgets_who_recorded_it(post, signup, team_leader, volunteer):
    services.check_in(signup, by=volunteer, at=post.start)
    services.check_out(signup, by=volunteer, at=post.start + timedelta(minutes=5))
    assert _fresh(signup).checked_out_by == volunteer

    services.undo_check_out(signup, by=team_leader)

    signup = _fresh(signup)
    assert signup.checked_out_at is None
    assert signup.checked_out_by is None
    # the next check-out records its own person
    services.check_out(signup, by=team_leader, at=post.end)
    assert _fresh(signup).checked_out_by == team_leader


def test_the_roster_records_the_leader_who_checks_a_volunteer_out(
    leader_client, post, signup, team_leader, volunteer, time_machine
):
    services.check_in(signup, by=volunteer, at=post.start)
    time_machine.move_to(post.end, tick=False)
    leader_client.post(reverse("volunteers:roster-action", args=[signup.pk]), {"action": "out"})
    assert _fresh(signup).checked_out_by == team_leader


# No-show --------------------------------------------------------------------------------------


def test_a_no_show_records_who_marked_it_and_when(post, signup, team_leader):
    marked = post.start + timedelta(minutes=30)
    services.mark_no_show(signup, by=team_leader, at=marked)
    signup = _fresh(signup)
    assert signup.attendance == Signup.Attendance.NO_SHOW
    assert signup.attendance_marked_by == team_leader
    assert signup.attendance_marked_at == marked


def test_the_roster_records_the_leader_who_marks_a_no_show(
    leader_client, post, signup, team_leader, time_machine
):
    time_machine.move_to(post.start + timedelta(minutes=40), tick=False)
    leader_client.post(reverse("volunteers:roster-action", args=[signup.pk]), {"action": "no_show"})
    signup = _fresh(signup)
    assert signup.attendance == Signup.Attendance.NO_SHOW
    assert signup.attendance_marked_by == team_leader
    assert signup.attendance_marked_at == post.start + timedelta(minutes=40)


# The leader's answer to a sign-up waiting for approval ------------------------------------------


@pytest.mark.parametrize("approve", [True, False], ids=["approved", "declined"])
def test_an_answer_to_a_pending_sign_up_records_who_and_when(
    post, on_hold, team_leader, frozen_clock, approve
):
    pending = services.sign_up(post, on_hold)
    assert pending.status == Signup.Status.PENDING
    services.decide_signup(pending, by=team_leader, approve=approve)
    pending = _fresh(pending)
    assert pending.status == (Signup.Status.CONFIRMED if approve else Signup.Status.DECLINED)
    assert pending.decided_by == team_leader
    assert pending.decided_at == frozen_clock


def test_the_leaders_page_records_who_answered_a_sign_up(
    leader_client, post, on_hold, team_leader, frozen_clock
):
    pending = services.sign_up(post, on_hold)
    leader_client.post(
        reverse("volunteers:signup-decide", args=[pending.pk]), {"decision": "approve"}
    )
    pending = _fresh(pending)
    assert pending.status == Signup.Status.CONFIRMED
    assert (pending.decided_by, pending.decided_at) == (team_leader, frozen_clock)


# Lifting the approval hold --------------------------------------------------------------------


def test_lifting_the_hold_records_who_lifted_it(on_hold, team_leader, frozen_clock):
    profile = services.clear_no_shows(on_hold.volunteer_profile, by=team_leader)
    profile = VolunteerProfile.objects.get(pk=profile.pk)
    assert not profile.needs_approval
    assert profile.no_shows_cleared_at == frozen_clock
    assert profile.no_shows_cleared_by == team_leader


def test_the_leaders_page_records_who_lifted_the_hold(leader_client, team, on_hold, team_leader):
    make_member(on_hold, team, by=team_leader)
    profile = on_hold.volunteer_profile
    leader_client.post(reverse("volunteers:clear-hold", args=[team.slug, profile.pk]))
    assert VolunteerProfile.objects.get(pk=profile.pk).no_shows_cleared_by == team_leader


def test_the_admin_records_who_lifted_the_hold(client, coordinator, on_hold):
    profile = on_hold.volunteer_profile
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:volunteers_volunteerprofile_change", args=[profile.pk]),
        {"user": on_hold.pk},
    )
    assert response.status_code == 302
    assert VolunteerProfile.objects.get(pk=profile.pk).no_shows_cleared_by == coordinator


# Shown in the admin, never edited there -------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_admin_shows_who_acted_read_only(coordinator, signup, on_hold):
    readonly = SignupAdmin(Signup, admin.site).get_readonly_fields(_request(coordinator), signup)
    assert SIGNUP_AUDIT <= set(readonly)
    profile_admin = VolunteerProfileAdmin(VolunteerProfile, admin.site)
    assert "no_shows_cleared_by" in profile_admin.get_readonly_fields(_request(coordinator))


def test_the_signup_admin_page_names_who_checked_out(client, coordinator, post, signup, volunteer):
    checker = make_user("王签退")
    services.check_in(signup, by=volunteer, at=post.start)
    services.check_out(signup, by=checker, at=post.end)
    client.force_login(coordinator)
    page = client.get(reverse("admin:volunteers_signup_change", args=[signup.pk])).text
    for label in [
        "Checked out by",
        "No-show recorded by",
        "No-show recorded at",
        "Decided by",
        "Decided at",
    ]:
        assert label in page
    assert "王签退" in page
