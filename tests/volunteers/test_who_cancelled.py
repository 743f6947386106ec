"""A cancelled sign-up records who gave up the place and when: the volunteer on their own page,
the leader on the roster, whoever calls the post off (the roster, the admin, or a festival
activity called off with its stall). The admin shows both, read-only."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils.timezone import now

from tests.factories import make_user
from volunteers import services
from volunteers.admin import SignupAdmin
from volunteers.models import Signup

pytestmark = pytest.mark.django_db

RAIN = "暴雨，服务日改期。"


@pytest.fixture
def signup(post, volunteer):
    return services.sign_up(post, volunteer)


def _fresh(signup):
    return Signup.objects.get(pk=signup.pk)


def test_a_place_still_held_names_nobody(signup):
    signup = _fresh(signup)
    assert signup.cancelled_by is None and signup.cancelled_at is None


def test_the_volunteer_cancelling_on_their_page_is_recorded(
    client, signup, volunteer, frozen_clock
):
    client.force_login(volunteer)
    response = client.post(reverse("volunteers:signup-cancel", args=[signup.pk]))

    assert response.status_code == 302
    signup = _fresh(signup)
    assert signup.status == Signup.Status.CANCELLED
    assert signup.cancelled_by == volunteer
    assert signup.cancelled_at == frozen_clock


def test_the_service_records_the_moment_it_is_given(post, signup, volunteer):
    at = post.start - timedelta(days=2)
    services.cancel_signup(signup, by=volunteer, at=at)
    assert _fresh(signup).cancelled_at == at


def test_a_leader_cancelling_on_the_roster_is_recorded(
    client, signup, team_leader, volunteer, frozen_clock
):
    client.force_login(team_leader)
    client.post(reverse("volunteers:roster-action", args=[signup.pk]), {"action": "cancel"})

    signup = _fresh(signup)
    assert signup.status == Signup.Status.CANCELLED
    assert signup.cancelled_by == team_leader  # not the volunteer whose place it was
    assert signup.cancelled_at == frozen_clock


def test_calling_off_a_post_records_the_caller_on_each_place(
    post, team_leader, volunteer, resident, elder, frozen_clock
):
    services.set_capacity(post, 2)
    for person in (volunteer, resident):
        services.sign_up(post, person)
    services.sign_up(post, elder, waitlist=True)
    came = services.sign_up(post, make_user("已签到"), waitlist=True)
    Signup.objects.filter(pk=came.pk).update(checked_in_at=now())
    gave_up = services.sign_up(post, make_user("早退出"), waitlist=True)
    services.cancel_signup(gave_up, by=gave_up.volunteer)

    services.call_off_post(post, by=team_leader, reason=RAIN)

    cancelled = Signup.objects.filter(post=post, volunteer__in=[volunteer, resident, elder])
    assert cancelled.count() == 3
    for signup in cancelled:
        assert signup.status == Signup.Status.CANCELLED
        assert signup.cancelled_by == team_leader
        assert signup.cancelled_at == frozen_clock
    assert _fresh(came).cancelled_by is None  # they came: the place stays theirs
    assert _fresh(gave_up).cancelled_by == gave_up.volunteer  # cancelled before, kept as it was


def test_calling_off_on_the_roster_page_records_the_leader(client, post, signup, team_leader):
    client.force_login(team_leader)
    client.post(reverse("volunteers:post-call-off", args=[post.pk]), {"reason": RAIN})

    signup = _fresh(signup)
    assert signup.status == Signup.Status.CANCELLED
    assert signup.cancelled_by == team_leader


def test_calling_off_in_the_admin_records_the_coordinator(client, post, signup, coordinator):
    client.force_login(coordinator)
    client.post(reverse("admin:volunteers_post_call_off", args=[post.pk]), {"reason": RAIN})

    signup = _fresh(signup)
    assert signup.status == Signup.Status.CANCELLED
    assert signup.cancelled_by == coordinator


def test_the_admin_shows_who_cancelled_read_only(client, coordinator, signup):
    request = RequestFactory().get("/admin/")
    request.user = coordinator
    readonly = SignupAdmin(Signup, admin.site).get_readonly_fields(request, signup)
    assert {"cancelled_by", "cancelled_at"} <= set(readonly)

    services.cancel_signup(signup, by=make_user("王取消"))  # a name nowhere else on the page
    client.force_login(coordinator)
    page = client.get(reverse("admin:volunteers_signup_change", args=[signup.pk])).text
    assert "Cancelled by" in page and "Cancelled at" in page
    assert "王取消" in page
