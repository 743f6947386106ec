"""Booking a meal for me or my household, until the cut-off; cancelling; portion limits."""

from datetime import timedelta

import pytest

from canteen import services
from canteen.models import Booking
from tests.canteen.helpers import MEAL_DAY, at, make_menu
from tests.factories import make_child


def test_an_elder_books_lunch_and_sees_a_confirmation_with_what_to_pay(
    client, elder, menu, morning, elder_rule
):
    client.force_login(elder)
    response = client.post(
        "/canteen/book/", {"menu": menu.pk, "member": elder.member.pk, "day": "2026-05-06"}
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/canteen/bookings/{booking.pk}/"
    assert (booking.menu, booking.member, booking.booked_by) == (menu, elder.member, elder)
    assert booking.channel == Booking.Channel.ONLINE
    page = client.get(response["Location"]).content.decode()
    assert '<h1 class="h3 text-success">已订</h1>' in page
    assert "今天" in page and menu.slot.name in page
    assert "¥14.00" in page and "−¥4.00" in page
    assert '<dd class="col-5 text-end money fs-5 fw-bold" data-testid="to-pay">¥10.00</dd>' in page
    assert f'action="/canteen/bookings/{booking.pk}/cancel/"' in page


def test_the_confirmation_cancels_in_one_tap_before_the_cut_off(client, elder, menu, morning):
    client.force_login(elder)
    client.post("/canteen/book/", {"menu": menu.pk, "member": elder.member.pk})
    booking = Booking.objects.get()
    response = client.post(f"/canteen/bookings/{booking.pk}/cancel/", {"next": "booking"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    page = client.get(f"/canteen/bookings/{booking.pk}/").content.decode()
    assert "已取消" in page and "/cancel/" not in page


def test_nobody_else_sees_a_household_s_booking(client, elder, resident, menu, morning):
    booking = services.book(menu, elder.member, by=elder)
    client.force_login(resident)
    assert client.get(f"/canteen/bookings/{booking.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/canteen/bookings/{booking.pk}/").status_code == 302


def test_a_parent_books_for_a_household_member(client, parent, menu, morning):
    grandma = make_child(parent, name="张外婆")
    client.force_login(parent)
    client.post("/canteen/book/", {"menu": menu.pk, "member": grandma.pk})
    assert Booking.objects.get().member == grandma


def test_booking_for_another_household_is_refused(client, parent, elder, menu, morning):
    client.force_login(parent)
    response = client.post("/canteen/book/", {"menu": menu.pk, "member": elder.member.pk})
    assert response.status_code == 302
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "hh,mm,ok",
    [(8, 59, True), (9, 0, False), (12, 0, False)],
    ids=["one-minute-before-cutoff", "at-cutoff", "after-cutoff"],
)
def test_bookings_close_at_the_slot_cutoff(elder, menu, time_machine, hh, mm, ok):
    time_machine.move_to(at(MEAL_DAY, hh, mm), tick=False)
    if ok:
        services.book(menu, elder.member, by=elder)
    else:
        with pytest.raises(services.CanteenError, match="09:00"):
            services.book(menu, elder.member, by=elder)
    assert Booking.objects.count() == (1 if ok else 0)


def test_booking_a_past_day_is_refused_with_a_message(client, elder, menu, time_machine):
    time_machine.move_to(at(MEAL_DAY + timedelta(days=1), 8), tick=False)
    client.force_login(elder)
    response = client.post(
        "/canteen/book/", {"menu": menu.pk, "member": elder.member.pk}, follow=True
    )
    assert "09:00" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_second_booking_for_the_same_person_and_slot_is_refused(elder, menu, morning):
    services.book(menu, elder.member, by=elder)
    with pytest.raises(services.CanteenError):
        services.book(menu, elder.member, by=elder)
    assert Booking.objects.count() == 1


def test_an_unpublished_menu_cannot_be_booked(elder, lunch, morning):
    draft = make_menu(published=False)
    with pytest.raises(services.CanteenError):
        services.book(draft, elder.member, by=elder)


def test_the_portion_limit_is_never_exceeded(elder, parent, resident, lunch, morning):
    menu = make_menu(portions=2)
    services.book(menu, elder.member, by=elder)
    services.book(menu, parent.member, by=parent)
    with pytest.raises(services.CanteenError, match="2"):
        services.book(menu, resident.member, by=resident)
    assert Booking.objects.filter(menu=menu).count() == 2


def test_a_walk_in_uses_a_portion_too(elder, parent, canteen_staff, lunch, morning):
    menu = make_menu(portions=1)
    services.record_meal(menu, parent.member, by=canteen_staff)
    with pytest.raises(services.CanteenError):
        services.book(menu, elder.member, by=elder)


def test_cancelling_before_the_cutoff_frees_the_portion(client, elder, resident, lunch, morning):
    menu = make_menu(portions=1)
    booking = services.book(menu, elder.member, by=elder)
    client.force_login(elder)
    response = client.post(f"/canteen/bookings/{booking.pk}/cancel/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.cancelled_at
    services.book(menu, resident.member, by=resident)
    # and the elder can book again after cancelling
    menu.portion_limit = 2
    menu.save()
    services.book(menu, elder.member, by=elder)


def test_cancelling_after_the_cutoff_is_refused(client, elder, menu, time_machine):
    time_machine.move_to(at(MEAL_DAY, 8), tick=False)
    booking = services.book(menu, elder.member, by=elder)
    time_machine.move_to(at(MEAL_DAY, 9, 1), tick=False)
    client.force_login(elder)
    response = client.post(f"/canteen/bookings/{booking.pk}/cancel/", follow=True)
    assert "取消" in response.content.decode() or "cancel" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_someone_else_cannot_cancel_my_booking(client, elder, resident, menu, morning):
    booking = services.book(menu, elder.member, by=elder)
    client.force_login(resident)
    assert client.post(f"/canteen/bookings/{booking.pk}/cancel/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_booking_needs_login_and_post(client, elder, menu):
    assert client.post("/canteen/book/", {"menu": menu.pk}).status_code == 302
    client.force_login(elder)
    assert client.get("/canteen/book/").status_code == 405


def test_staff_book_for_a_resident_who_phones_in(client, canteen_staff, elder, menu, morning):
    client.force_login(canteen_staff)
    response = client.post(
        f"/canteen/counter/{elder.member.pk}/", {"action": "book", "menu": menu.pk}
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.channel == Booking.Channel.PHONE
    assert booking.booked_by == canteen_staff
    assert booking.member == elder.member


def test_the_menu_asks_who_the_meal_is_for_not_who_it_suits(client, parent, menu, morning):
    # The events catalogue translates a bare "For" as 适合 (suitable for).
    make_child(parent, name="张外婆")
    client.force_login(parent)
    page = client.get("/canteen/?day=2026-05-06").content.decode()
    assert "为谁预订" in page and "适合" not in page
