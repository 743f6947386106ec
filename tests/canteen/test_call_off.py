"""Calling off a meal (the water is cut): every booking goes, whoever it was for is told once,
by their own account or their household's; meals already served stay on the record; nobody
books or is served that meal any more."""

import pytest
from django.urls import reverse

from canteen import services
from canteen.models import Booking, MealRecord
from portal.models import Delivery, Notice
from tests.canteen.helpers import MEAL_DAY, at
from tests.factories import make_child, make_user

WATER = "停水检修，今日午餐暂停。"


@pytest.fixture
def booked(menu, elder, parent, morning):
    """The elder booked for herself; a parent booked for their child (who has no account)."""
    services.book(menu, elder.member, by=elder)
    services.book(menu, make_child(parent, name="小明"), by=parent)
    return menu


def test_calling_off_cancels_every_booking_and_tells_each_household(
    booked, canteen_staff, elder, parent
):
    told = services.call_off_menu(booked, by=canteen_staff, reason=f" {WATER} ")

    assert told == 2
    booked.refresh_from_db()
    assert booked.is_called_off and booked.called_off_by == canteen_staff
    assert booked.called_off_reason == WATER
    assert set(Booking.objects.values_list("status", flat=True)) == {Booking.Status.CANCELLED}
    assert all(b.cancelled_at for b in Booking.objects.all())
    notices = Notice.objects.filter(kind=Notice.Kind.CANCELLED)
    assert sorted(notices.values_list("recipient", flat=True)) == sorted([elder.pk, parent.pk])
    assert all(WATER in n.text and "11:30" in n.text for n in notices)


def test_the_elder_gets_a_text_by_default(menu, canteen_staff, morning):
    elder = make_user("李奶奶", mobile="13755554444", mobile_verified=True)
    services.book(menu, elder.member, by=elder)

    services.call_off_menu(menu, by=canteen_staff, reason=WATER)

    text = Delivery.objects.get(user=elder, channel="sms")
    assert text.kind == Notice.Kind.CANCELLED and WATER in text.text


def test_a_meal_already_served_stays_on_the_record(booked, canteen_staff, elder, time_machine):
    time_machine.move_to(at(MEAL_DAY, 11, 40), tick=False)
    services.record_meal(booked, elder.member, by=canteen_staff)

    assert services.call_off_menu(booked, by=canteen_staff, reason=WATER) == 1  # the parent

    served = Booking.objects.get(member=elder.member)
    assert served.status == Booking.Status.BOOKED
    assert MealRecord.objects.filter(booking=served, reversed_by__isnull=True).exists()
    assert not Notice.objects.filter(recipient=elder, kind=Notice.Kind.CANCELLED).exists()


def test_nobody_books_or_is_served_a_called_off_meal(booked, canteen_staff, resident, elder):
    services.call_off_menu(booked, by=canteen_staff, reason=WATER)
    booked.refresh_from_db()

    assert not booked.is_bookable()
    with pytest.raises(services.CanteenError, match="叫停|called off|取消"):
        services.book(booked, resident.member, by=resident)
    with pytest.raises(services.CanteenError):
        services.record_meal(booked, elder.member, by=canteen_staff)
    assert not Booking.objects.filter(member=resident.member).exists()


@pytest.mark.parametrize("reason", ["", " ", "水" * 201])
def test_a_reason_is_needed_and_short_enough_for_a_text(booked, canteen_staff, reason):
    with pytest.raises(services.CanteenError):
        services.call_off_menu(booked, by=canteen_staff, reason=reason)
    booked.refresh_from_db()
    assert not booked.is_called_off
    assert Booking.objects.filter(status=Booking.Status.BOOKED).count() == 2


def test_once_only_and_never_for_a_past_day(booked, canteen_staff, time_machine):
    services.call_off_menu(booked, by=canteen_staff, reason=WATER)
    with pytest.raises(services.CanteenError):
        services.call_off_menu(booked, by=canteen_staff, reason=WATER)
    assert Notice.objects.filter(kind=Notice.Kind.CANCELLED).count() == 2

    from tests.canteen.helpers import make_menu

    yesterday = make_menu(MEAL_DAY.replace(day=5))
    with pytest.raises(services.CanteenError):
        services.call_off_menu(yesterday, by=canteen_staff, reason=WATER)


def test_the_menu_page_says_so(client, booked, canteen_staff, elder):
    services.call_off_menu(booked, by=canteen_staff, reason=WATER)
    client.force_login(elder)

    page = client.get(reverse("canteen:index")).content.decode()

    assert 'data-testid="called-off"' in page and WATER in page
    assert f'name="menu" value="{booked.pk}"' not in page  # no booking form for it


def test_canteen_staff_call_it_off_in_the_admin(client, booked, canteen_staff, parent):
    client.force_login(canteen_staff)
    url = reverse("admin:canteen_menu_call_off", args=[booked.pk])
    change = reverse("admin:canteen_menu_change", args=[booked.pk])
    assert url in client.get(change).content.decode()
    assert client.get(url).status_code == 200
    booked.refresh_from_db()
    assert not booked.is_called_off

    response = client.post(url, {"reason": WATER})

    assert response.status_code == 302 and response["Location"] == change
    booked.refresh_from_db()
    assert booked.called_off_by == canteen_staff
    assert Notice.objects.filter(recipient=parent, kind=Notice.Kind.CANCELLED).exists()


def test_other_staff_cannot(client, booked, events_staff, elder):
    url = reverse("admin:canteen_menu_call_off", args=[booked.pk])
    for user in (events_staff, elder):
        client.force_login(user)
        assert client.post(url, {"reason": WATER}).status_code in (302, 403)
    booked.refresh_from_db()
    assert not booked.is_called_off
