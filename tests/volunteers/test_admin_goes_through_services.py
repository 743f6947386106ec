"""The admin is no side door: places, answers and holds change through the services, which
promote the waiting list and tell people, exactly as the leader's pages do."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from django.urls import reverse

from portal.models import Notice
from tests.factories import make_user
from tests.volunteers.helpers import make_post
from volunteers import services
from volunteers.admin import MembershipAdmin
from volunteers.models import Membership, Signup, VolunteerProfile

pytestmark = pytest.mark.django_db


def _post_form(post, **changes):
    """The admin's change form of `post` as the browser sends it, with `changes`."""
    start, end = post.start.astimezone(), post.end.astimezone()
    signups = list(post.signups.order_by("pk"))
    data = {
        "service_day": post.service_day_id or "",
        "team": post.team_id or "",
        "title": post.title,
        "place": post.place,
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": start.strftime("%H:%M:%S"),
        "end_0": end.strftime("%Y-%m-%d"),
        "end_1": end.strftime("%H:%M:%S"),
        "capacity": post.capacity,
        "residents_served": 0,
        "items_repaired": 0,
        "meals_delivered": 0,
        "signups-TOTAL_FORMS": len(signups),
        "signups-INITIAL_FORMS": len(signups),
        "signups-MIN_NUM_FORMS": 0,
        "signups-MAX_NUM_FORMS": 1000,
    }
    for i, signup in enumerate(signups):
        data |= {f"signups-{i}-id": signup.pk, f"signups-{i}-post": post.pk}
    return data | changes


def test_raising_the_places_in_the_admin_promotes_the_waiting_list_in_order(
    client, coordinator, team, service_day, volunteer
):
    post = make_post(team=team, capacity=1)
    services.sign_up(post, volunteer)
    first, second, third = (make_user(name) for name in ["甲", "乙", "丙"])
    for person in (first, second, third):
        services.sign_up(post, person, waitlist=True)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:volunteers_post_change", args=[post.pk]),
        _post_form(post, capacity=3),
        follow=True,
    )

    assert response.redirect_chain  # saved
    post.refresh_from_db()
    assert post.capacity == 3
    status = {s.volunteer_id: (s.status, s.seat) for s in post.signups.all()}
    assert status[first.pk] == (Signup.Status.CONFIRMED, 2)
    assert status[second.pk] == (Signup.Status.CONFIRMED, 3)
    assert status[third.pk] == (Signup.Status.WAITLISTED, None)
    promoted = Notice.objects.filter(kind=Notice.Kind.PROMOTED)
    assert set(promoted.values_list("recipient", flat=True)) == {first.pk, second.pk}
    assert "2 volunteers on the waiting list got a place" in response.text


def test_the_admin_refuses_fewer_places_than_taken(client, coordinator, post, volunteer):
    services.sign_up(post, volunteer)
    services.sign_up(post, make_user("甲"))
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:volunteers_post_change", args=[post.pk]), _post_form(post, capacity=1)
    )
    assert response.status_code == 200
    assert "places are taken" in response.text
    post.refresh_from_db()
    assert post.capacity == 3


def test_a_sign_up_racing_the_admins_check_leaves_the_post_as_it_was(
    client, coordinator, post, volunteer, monkeypatch
):
    """The form's check passed, then places were taken before the lock: the service refuses,
    nothing of the form is saved, and the admin says why (no error page)."""
    from volunteers.admin import PostAdminForm

    services.sign_up(post, volunteer)
    services.sign_up(post, make_user("甲"))
    monkeypatch.setattr(PostAdminForm, "clean", lambda form: form.cleaned_data)  # the race
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:volunteers_post_change", args=[post.pk]),
        _post_form(post, capacity=1, title="改了名字"),
        follow=True,
    )

    assert response.status_code == 200
    assert "Nothing was saved" in response.text and "places are taken" in response.text
    post.refresh_from_db()
    assert post.capacity == 3 and post.title != "改了名字"
    # the rest of the admin's save stood down: back on the same page, no success, no log entry
    url = reverse("admin:volunteers_post_change", args=[post.pk])
    assert response.redirect_chain == [(url, 302)]
    assert "changed successfully" not in response.text
    assert not LogEntry.objects.filter(object_id=str(post.pk)).exists()


def test_the_leaders_page_and_the_admin_change_places_through_one_service(
    team, service_day, team_leader, volunteer
):
    post = make_post(team=team, capacity=1)
    services.sign_up(post, volunteer)
    waiting = services.sign_up(post, make_user("甲"), waitlist=True)

    services.update_post(post, by=team_leader, title="补鞋和修伞", capacity=2)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.seat) == (Signup.Status.CONFIRMED, 2)
    with pytest.raises(services.PostError, match="places are taken"):
        services.set_capacity(post, 1)


def test_answers_to_team_applications_are_read_only_in_the_admin(coordinator, team, resident):
    membership = services.apply_to_team(resident, team)
    request = RequestFactory().get("/admin/")
    request.user = coordinator
    readonly = MembershipAdmin(Membership, admin.site).get_readonly_fields(request, membership)
    assert {"status", "decision_message", "decided_by", "decided_at"} <= set(readonly)


def test_lifting_the_approval_hold_in_the_admin_stops_earlier_no_shows_counting(
    client, coordinator, volunteer
):
    profile = services.ensure_profile(volunteer)
    VolunteerProfile.objects.filter(pk=profile.pk).update(needs_approval=True)
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:volunteers_volunteerprofile_change", args=[profile.pk]),
        {"user": volunteer.pk},
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.needs_approval
    assert profile.no_shows_cleared_at is not None


def test_a_new_place_set_in_the_admin_is_told_to_the_posts_volunteers(
    client, coordinator, post, volunteer
):
    services.sign_up(post, volunteer)
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:volunteers_post_change", args=[post.pk]),
        _post_form(post, place="社区广场东侧"),
        follow=True,
    )
    assert response.redirect_chain
    notice = Notice.objects.get(kind=Notice.Kind.TIME_CHANGED)
    assert notice.recipient == volunteer and "社区广场东侧" in notice.text
    assert "1 volunteer was told of the new time or place" in response.text

    # refused by the service (too few places): nothing saved, nobody told
    services.sign_up(post, make_user("甲"))
    client.post(
        reverse("admin:volunteers_post_change", args=[post.pk]),
        _post_form(post, place="别处", capacity=1),
    )
    post.refresh_from_db()
    assert post.place == "社区广场东侧"
    assert Notice.objects.filter(kind=Notice.Kind.TIME_CHANGED).count() == 1


def test_a_post_with_volunteers_on_it_is_not_deleted_in_the_admin(
    client, coordinator, post, volunteer
):
    services.sign_up(post, volunteer)
    client.force_login(coordinator)
    page = client.get(reverse("admin:volunteers_post_delete", args=[post.pk]))
    assert page.status_code == 200 and str(volunteer) in page.text
    client.post(reverse("admin:volunteers_post_delete", args=[post.pk]), {"post": "yes"})
    post.refresh_from_db()  # still there
    assert post.signups.active().count() == 1
