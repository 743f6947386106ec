"""A cancelled registration records who gave up the place as well as when: the household on its
page, the account holder removing a member who leaves, staff calling the activity off (and the
stall's volunteer post with it). The admin shows it, read-only."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils.timezone import now

from events import services
from events.admin import RegistrationAdmin
from events.models import Activity, Registration
from tests.events.helpers import NOW, make_activity
from tests.factories import make_user

pytestmark = pytest.mark.django_db

RAIN = "暴雨预警，活动取消。"


@pytest.fixture
def booked(festival, resident, parent, child):
    """One place taken by the resident; the parent and child wait together."""
    activity = make_activity(festival, title="露天电影", capacity=1)
    services.register(activity, user=resident, members=[resident.member])
    services.register(activity, user=parent, members=[parent.member, child])
    return activity


def test_a_place_still_held_names_nobody(booked):
    assert not Registration.objects.filter(activity=booked, cancelled_by__isnull=False).exists()


def test_the_household_cancelling_on_its_page_is_recorded(client, parent, child, activity):
    reg = services.register(
        activity, user=parent, members=[parent.member, child]
    ).registrations.get(member=child)
    client.force_login(parent)

    response = client.post(reverse("events:cancel", args=[reg.pk]))

    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.status == Registration.Status.CANCELLED
    assert reg.cancelled_by == parent
    assert reg.cancelled_at == NOW
    other = Registration.objects.get(member=parent.member)
    assert other.cancelled_by is None  # only the place given up


def test_a_member_who_leaves_has_their_place_cancelled_by_the_account_holder(
    client, parent, child, activity
):
    services.register(activity, user=parent, members=[child])
    client.force_login(parent)

    client.post(reverse("household-member-remove", args=[child.pk]))

    reg = Registration.objects.get(member=child)
    assert reg.status == Registration.Status.CANCELLED
    assert reg.cancelled_by == parent and reg.cancelled_at == NOW


def test_calling_off_records_the_staff_member_on_each_place(booked, events_staff, resident):
    came = Registration.objects.get(activity=booked, member=resident.member)
    Registration.objects.filter(pk=came.pk).update(checked_in_at=now())

    services.call_off_activity(booked, by=events_staff, reason=RAIN)

    cancelled = Registration.objects.filter(activity=booked, status=Registration.Status.CANCELLED)
    assert cancelled.count() == 2
    booked.refresh_from_db()
    for reg in cancelled:
        assert reg.cancelled_by == events_staff
        assert reg.cancelled_at == booked.called_off_at
    came.refresh_from_db()
    assert came.cancelled_by is None and came.cancelled_at is None  # they came


def test_calling_off_in_the_admin_records_the_staff_member(client, booked, events_staff):
    client.force_login(events_staff)
    client.post(reverse("admin:events_activity_call_off", args=[booked.pk]), {"reason": RAIN})

    regs = Registration.objects.filter(activity=booked)
    assert regs.count() == 3
    assert {(r.status, r.cancelled_by_id) for r in regs} == {
        (Registration.Status.CANCELLED, events_staff.pk)
    }


def test_a_stalls_volunteer_post_called_off_with_it_records_the_staff_member(
    festival, events_staff, volunteer
):
    from volunteers import services as volunteer_services
    from volunteers.models import Signup

    stall = make_activity(
        festival, title="义诊摊位", kind=Activity.Kind.SERVICE, needs_registration=False
    )
    post = services.create_volunteer_post(stall, capacity=2, by=events_staff)
    volunteer_services.sign_up(post, volunteer)

    services.call_off_activity(stall, by=events_staff, reason=RAIN)

    signup = Signup.objects.get(post=post)
    assert signup.status == Signup.Status.CANCELLED
    assert signup.cancelled_by == events_staff and signup.cancelled_at == NOW


def test_the_admin_shows_who_cancelled_read_only(client, booked, events_staff, resident):
    reg = Registration.objects.get(activity=booked, member=resident.member)
    request = RequestFactory().get("/admin/")
    request.user = events_staff
    readonly = RegistrationAdmin(Registration, admin.site).get_readonly_fields(request, reg)
    assert {"cancelled_at", "cancelled_by"} <= set(readonly)

    office = make_user("王前台")  # someone whose name is nowhere else on the page
    services.cancel_registration(reg, by=office)
    client.force_login(events_staff)
    page = client.get(reverse("admin:events_registration_change", args=[reg.pk])).content.decode()
    assert "Cancelled by" in page
    assert "王前台" in page
