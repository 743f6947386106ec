"""Calling off an activity (rain, a burst pipe): every place goes, everyone booked is told once
with the reason, the pages say so, and nobody can register or apply for a stall any more."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import now

from events import services
from events.models import Activity, Registration, StallApplication
from portal.models import Delivery, Notice
from tests.events.helpers import make_activity
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


def test_calling_off_cancels_every_place_and_tells_each_household_once(
    booked, events_staff, resident, parent
):
    told = services.call_off_activity(booked, by=events_staff, reason=f"  {RAIN} ")

    assert told == 2
    booked.refresh_from_db()
    assert booked.is_called_off and booked.called_off_by == events_staff
    assert booked.called_off_reason == RAIN
    regs = Registration.objects.filter(activity=booked)
    assert regs.count() == 3
    assert set(regs.values_list("status", flat=True)) == {Registration.Status.CANCELLED}
    assert all(r.cancelled_at for r in regs)
    notices = Notice.objects.filter(kind=Notice.Kind.CANCELLED)
    assert sorted(notices.values_list("recipient", flat=True)) == sorted([resident.pk, parent.pk])
    assert all(RAIN in n.text and "露天电影" in n.text for n in notices)
    assert notices.first().url == booked.get_absolute_url()


def test_the_people_booked_get_a_text_by_default(festival, events_staff):
    texter = make_user("王阿姨", mobile="13766665555", mobile_verified=True)
    activity = make_activity(festival, title="露天电影")
    services.register(activity, user=texter, members=[texter.member])

    services.call_off_activity(activity, by=events_staff, reason=RAIN)

    texts = Delivery.objects.filter(user=texter, channel="sms", kind=Notice.Kind.CANCELLED)
    assert texts.count() == 1 and RAIN in texts.get().text


def test_a_ticket_already_checked_in_stays_as_it_was(booked, events_staff, resident):
    came = Registration.objects.get(activity=booked, member=resident.member)
    Registration.objects.filter(pk=came.pk).update(checked_in_at=now())

    services.call_off_activity(booked, by=events_staff, reason=RAIN)

    came.refresh_from_db()
    assert came.status == Registration.Status.CONFIRMED
    assert not Notice.objects.filter(recipient=resident, kind=Notice.Kind.CANCELLED).exists()


def test_a_markets_stalls_are_withdrawn_and_the_stallholders_told(festival, events_staff, elder):
    market = make_activity(
        festival,
        title="跳蚤市场",
        kind=Activity.Kind.MARKET,
        needs_registration=False,
        stall_count=3,
    )
    app = services.apply_for_stall(market, user=elder, goods="旧书", needs_table=False)
    services.decide_stall(app, approve=True, reason="", by=events_staff)

    assert services.call_off_activity(market, by=events_staff, reason=RAIN) == 1

    app.refresh_from_db()
    assert (app.status, app.stall_number) == (StallApplication.Status.WITHDRAWN, None)
    assert Notice.objects.filter(recipient=elder, kind=Notice.Kind.CANCELLED).exists()
    with pytest.raises(services.EventError, match="called off"):
        services.apply_for_stall(market, user=elder, goods="旧书", needs_table=False)


def test_a_stalls_volunteer_post_is_called_off_with_it(festival, events_staff, volunteer):
    from volunteers import services as volunteer_services
    from volunteers.models import Signup

    stall = make_activity(
        festival, title="义诊摊位", kind=Activity.Kind.SERVICE, needs_registration=False
    )
    post = services.create_volunteer_post(stall, capacity=2, by=events_staff)
    volunteer_services.sign_up(post, volunteer)

    assert services.call_off_activity(stall, by=events_staff, reason=RAIN) == 1

    post.refresh_from_db()
    assert post.is_called_off and post.called_off_reason == RAIN
    assert Signup.objects.get(post=post).status == Signup.Status.CANCELLED
    assert Notice.objects.filter(recipient=volunteer, kind=Notice.Kind.CANCELLED).exists()
    stall.refresh_from_db()
    with pytest.raises(services.EventError, match="called off"):
        services.create_volunteer_post(stall, capacity=2, by=events_staff)


@pytest.mark.parametrize("reason", ["", "   ", "雨" * 201])
def test_a_reason_is_needed_and_short_enough_for_a_text(booked, events_staff, reason):
    with pytest.raises(services.EventError):
        services.call_off_activity(booked, by=events_staff, reason=reason)

    booked.refresh_from_db()
    assert not booked.is_called_off
    assert Registration.objects.active().filter(activity=booked).count() == 3
    assert not Notice.objects.filter(kind=Notice.Kind.CANCELLED).exists()


def test_it_is_called_off_once_and_not_after_it_ended(booked, events_staff, festival):
    services.call_off_activity(booked, by=events_staff, reason=RAIN)
    with pytest.raises(services.EventError, match="already been called off"):
        services.call_off_activity(booked, by=events_staff, reason="again")
    assert Notice.objects.filter(kind=Notice.Kind.CANCELLED).count() == 2

    over = make_activity(
        festival, starts_at=now() - timedelta(hours=3), ends_at=now() - timedelta(hours=1)
    )
    with pytest.raises(services.EventError, match="over"):
        services.call_off_activity(over, by=events_staff, reason=RAIN)
    over.refresh_from_db()
    assert not over.is_called_off


def test_nobody_registers_for_a_called_off_activity(booked, events_staff, elder):
    services.call_off_activity(booked, by=events_staff, reason=RAIN)

    with pytest.raises(services.EventError, match="called off"):
        services.register(booked, user=elder, members=[elder.member])
    booked.refresh_from_db()
    assert services.check_in_refusal(booked, now()) == "This activity has been called off."


def test_the_pages_say_it_is_called_off_and_why(client, booked, events_staff, festival):
    services.call_off_activity(booked, by=events_staff, reason=RAIN)

    detail = client.get(booked.get_absolute_url()).content.decode()
    assert "This activity is called off: " + RAIN in detail
    assert reverse("events:register", args=[booked.pk]) not in detail
    programme = client.get(reverse("events:programme", args=[festival.pk])).content.decode()
    assert 'data-testid="called-off"' in programme
    timetable = client.get(reverse("events:timetable", args=[festival.pk]))
    assert 'data-testid="called-off"' in timetable.content.decode()
    ics = client.get(reverse("events:calendar", args=[booked.pk])).content.decode()
    assert "STATUS:CANCELLED" in ics


def test_staff_call_it_off_in_the_admin_with_a_reason(client, booked, events_staff, parent):
    client.force_login(events_staff)
    change = reverse("admin:events_activity_change", args=[booked.pk])
    url = reverse("admin:events_activity_call_off", args=[booked.pk])
    assert url in client.get(change).content.decode()

    page = client.get(url)
    assert page.status_code == 200
    assert "3 places (or places in line) will be cancelled" in page.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    booked.refresh_from_db()
    assert not booked.is_called_off  # neither the GET nor the empty reason changed anything

    response = client.post(url, {"reason": RAIN}, follow=True)

    assert response.redirect_chain[-1][0] == change
    assert "2 people were told" in response.content.decode()
    booked.refresh_from_db()
    assert booked.called_off_by == events_staff and booked.called_off_reason == RAIN
    assert RAIN in response.content.decode()  # the change page shows why
    assert Notice.objects.filter(recipient=parent, kind=Notice.Kind.CANCELLED).exists()


def test_only_events_staff_reach_the_call_off_page(client, booked, resident, canteen_staff):
    url = reverse("admin:events_activity_call_off", args=[booked.pk])
    for user in (resident, canteen_staff):
        client.force_login(user)
        response = client.post(url, {"reason": RAIN})
        assert response.status_code in (302, 403)
    booked.refresh_from_db()
    assert not booked.is_called_off
    client.force_login(booked.called_off_by or canteen_staff)
    assert client.get(url.replace(f"/{booked.pk}/", "/x/")).status_code in (302, 404)
