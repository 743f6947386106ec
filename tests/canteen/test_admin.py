"""The canteen admin: prices refused out of range, rule changes kept in the history."""

from decimal import Decimal

from django.urls import reverse

from canteen import services
from canteen.models import Booking, Menu, SubsidyRule
from tests.canteen.helpers import MEAL_DAY, at, make_menu


def test_changing_a_subsidy_rule_keeps_who_changed_what_and_when(client, canteen_staff, elder_rule):
    client.force_login(canteen_staff)
    response = client.post(
        f"/admin/canteen/subsidyrule/{elder_rule.pk}/change/",
        {
            "name": elder_rule.name,
            "valid_from": "2020-01-01",
            "valid_to": "",
            "min_age": "60",
            "category": "",
            "amount": "5.00",
            "funder": "government",
        },
    )
    assert response.status_code == 302
    elder_rule.refresh_from_db()
    assert elder_rule.amount == Decimal("5.00")
    before, after = elder_rule.history.order_by("history_date", "history_id")
    assert after.history_user == canteen_staff and after.history_type == "~"
    assert [(c.field, c.old, c.new) for c in after.diff_against(before).changes] == [
        ("amount", Decimal("4.00"), Decimal("5.00"))
    ]
    # staff read it on the rule's history page: old and new value and who
    page = client.get(f"/admin/canteen/subsidyrule/{elder_rule.pk}/history/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "4.00" in body and "5.00" in body and canteen_staff.real_name in body


def test_the_admin_refuses_a_menu_price_outside_the_range(client, canteen_staff, lunch):
    menu = make_menu(MEAL_DAY, lunch)
    client.force_login(canteen_staff)
    response = client.post(
        f"/admin/canteen/menu/{menu.pk}/change/",
        {
            "day": "2026-05-06",
            "slot": lunch.pk,
            "dishes": [d.pk for d in menu.dishes.all()],
            "price": "18.00",
            "portion_limit": "",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "price" in response.context["adminform"].form.errors
    menu.refresh_from_db()
    assert menu.price == Decimal("14.00")
    assert menu.history.count() == 1  # only its creation


def test_a_rule_needs_an_age_or_a_category(client, canteen_staff):
    client.force_login(canteen_staff)
    response = client.post(
        "/admin/canteen/subsidyrule/add/",
        {"name": "无条件", "valid_from": "2026-01-01", "amount": "1.00", "funder": "charity"},
    )
    assert response.status_code == 200
    assert SubsidyRule.objects.filter(name="无条件").count() == 0
    assert Menu.objects.count() == 0


def test_bookings_are_made_and_changed_only_through_the_service(
    client, canteen_staff, elder, menu, time_machine
):
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    booking = services.book(menu, elder.member, by=elder)
    client.force_login(canteen_staff)
    assert client.get("/admin/canteen/booking/add/").status_code == 403

    # the form shows the booking but cannot cancel it (or reopen one, past the portion limit)
    client.post(f"/admin/canteen/booking/{booking.pk}/change/", {"status": "cancelled"})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_staff_cancel_a_booking_after_the_cutoff_for_a_resident_who_called(
    client, canteen_staff, elder, menu, time_machine
):
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    booking = services.book(menu, elder.member, by=elder)
    time_machine.move_to(at(MEAL_DAY, 10, 0), tick=False)  # past the 09:00 cut-off
    client.force_login(canteen_staff)

    client.post(
        "/admin/canteen/booking/",
        {"action": "cancel", "_selected_action": [booking.pk]},
    )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.cancelled_at is not None
    again = client.post(
        "/admin/canteen/booking/",
        {"action": "cancel", "_selected_action": [booking.pk]},
        follow=True,
    )
    assert "该预订已取消" in again.content.decode()


def _menu_form(menu, **changes):
    return {
        "day": menu.day.isoformat(),
        "slot": menu.slot_id,
        "dishes": [d.pk for d in menu.dishes.all()],
        "price": str(menu.price),
        "portion_limit": "" if menu.portion_limit is None else str(menu.portion_limit),
        "note": menu.note,
        **changes,
    }


def test_a_booked_menu_keeps_its_day_and_never_gets_fewer_portions_than_taken(
    client, canteen_staff, elder, resident, lunch, time_machine
):
    """Through the admin and the staff page alike: the elders booked that meal, on that day."""
    menu = make_menu(MEAL_DAY, lunch, portions=10)
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    services.book(menu, elder.member, by=elder)
    services.record_meal(menu, resident.member, by=canteen_staff)  # a walk-in at the counter
    client.force_login(canteen_staff)
    admin_url = f"/admin/canteen/menu/{menu.pk}/change/"
    staff_url = reverse("canteen:menu-edit", args=[menu.pk])

    for url in (admin_url, staff_url):
        response = client.post(url, _menu_form(menu, portion_limit="1"))
        assert response.status_code == 200
        assert "2 份已被预订或取用" in response.content.decode()
        response = client.post(url, _menu_form(menu, day="2026-05-07"))
        assert response.status_code == 200
        assert "此菜单的日期和餐次不能再改" in response.content.decode()
    menu.refresh_from_db()
    assert (menu.day, menu.portion_limit) == (MEAL_DAY, 10)
    assert menu.history.count() == 1  # nothing saved

    # as many portions as are taken is allowed; so is changing what is not the day or slot
    response = client.post(admin_url, _menu_form(menu, portion_limit="2", note="加一道汤"))
    assert response.status_code == 302
    menu.refresh_from_db()
    assert (menu.portion_limit, menu.note) == (2, "加一道汤")


def test_a_menu_nobody_booked_can_still_move(client, canteen_staff, lunch):
    menu = make_menu(MEAL_DAY, lunch, portions=10)
    client.force_login(canteen_staff)
    response = client.post(
        reverse("canteen:menu-edit", args=[menu.pk]),
        _menu_form(menu, day="2026-05-07", portion_limit="1"),
    )
    assert response.status_code == 302
    menu.refresh_from_db()
    assert (menu.day.isoformat(), menu.portion_limit) == ("2026-05-07", 1)
