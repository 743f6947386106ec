"""A menu's portions and day under its row lock: a booking landing between the form's check
(`Menu.clean`) and the save never leaves fewer portions than are taken.

The first tests interleave in one connection (a booking made right after the form's check),
on both databases; the last ones run the booking in another thread against PostgreSQL.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from canteen import services
from canteen.forms import MenuForm
from canteen.models import Menu
from tests.canteen.helpers import MEAL_DAY, at, make_menu
from tests.factories import make_user

FEWER = "2 份已被预订或取用"  # "2 portions are already booked or served: …"
KEEPS_DAY = "此菜单的日期和餐次不能再改"  # "… this menu keeps its day and meal slot."


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


def _taken(menu) -> int:
    return Menu.objects.with_portions_taken().get(pk=menu.pk).portions_taken


def _book_after_the_check(monkeypatch, menu, person):
    """Make the next `Menu.clean` (the form's check) book `person` right after it passed."""
    check = Menu.clean

    def check_then_book(self):
        check(self)
        monkeypatch.setattr(Menu, "clean", check)
        services.book(menu, person.member, by=person)

    monkeypatch.setattr(Menu, "clean", check_then_book)


@pytest.fixture
def booked_menu(community, lunch, elder, time_machine):
    """Ten portions, one booked by the elder; the clock before the lunch cut-off."""
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    menu = make_menu(MEAL_DAY, lunch, portions=10)
    services.book(menu, elder.member, by=elder)
    return menu


def test_the_service_refuses_a_limit_below_a_booking_made_after_the_forms_check(
    booked_menu, resident
):
    form = MenuForm(_menu_form(booked_menu, portion_limit="1"), instance=booked_menu)
    assert form.is_valid()  # one portion taken: one is enough
    services.book(booked_menu, resident.member, by=resident)

    with pytest.raises(ValidationError) as refused:
        services.save_menu(form.save(commit=False), dishes=form.cleaned_data["dishes"])

    assert FEWER in str(refused.value.message_dict["portion_limit"])
    booked_menu.refresh_from_db()
    assert booked_menu.portion_limit == 10
    assert booked_menu.history.count() == 1  # only its creation


def test_the_admins_save_refuses_a_limit_below_a_booking_made_after_its_check(
    booked_menu, resident, canteen_staff
):
    request = RequestFactory().post("/")
    request.user = canteen_staff
    menu_admin = admin.site._registry[Menu]
    form = menu_admin.get_form(request, booked_menu, change=True)(
        _menu_form(booked_menu, portion_limit="1"), instance=booked_menu
    )
    assert form.is_valid()
    services.book(booked_menu, resident.member, by=resident)

    menu = menu_admin.save_form(request, form, change=True)
    with pytest.raises(ValidationError):
        menu_admin.save_model(request, menu, form, change=True)

    booked_menu.refresh_from_db()
    assert booked_menu.portion_limit == 10


def test_the_staff_page_shows_a_booking_made_after_its_check_as_a_form_error(
    client, monkeypatch, booked_menu, resident, canteen_staff
):
    client.force_login(canteen_staff)
    _book_after_the_check(monkeypatch, booked_menu, resident)

    response = client.post(
        reverse("canteen:menu-edit", args=[booked_menu.pk]),
        _menu_form(booked_menu, portion_limit="1"),
    )

    assert response.status_code == 200
    assert FEWER in str(response.context["form"].errors["portion_limit"])
    booked_menu.refresh_from_db()
    assert booked_menu.portion_limit == 10
    assert booked_menu.history.count() == 1
    assert _taken(booked_menu) == 2


def test_the_staff_page_keeps_the_day_of_a_menu_booked_after_its_check(
    client, monkeypatch, community, lunch, resident, canteen_staff, time_machine
):
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    menu = make_menu(MEAL_DAY, lunch, portions=10)  # nobody booked yet: it may move
    client.force_login(canteen_staff)
    _book_after_the_check(monkeypatch, menu, resident)

    response = client.post(
        reverse("canteen:menu-edit", args=[menu.pk]), _menu_form(menu, day="2026-05-07")
    )

    assert response.status_code == 200
    assert KEEPS_DAY in str(response.context["form"].non_field_errors())
    menu.refresh_from_db()
    assert menu.day == MEAL_DAY
    assert menu.history.count() == 1


def _after_the_check(monkeypatch, then, check="validate_constraints"):
    """Run `then()` right after the form's last check of the menu passed (its constraints,
    the day and slot being free, come after `clean`)."""
    original = getattr(Menu, check)

    def check_then(self, *args, **kwargs):
        original(self, *args, **kwargs)
        monkeypatch.setattr(Menu, check, original)
        then()

    monkeypatch.setattr(Menu, check, check_then)


def test_the_same_meal_planned_by_two_people_at_once_is_a_form_error_not_a_500(
    client, monkeypatch, community, lunch, canteen_staff, time_machine
):
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    dish = make_menu(MEAL_DAY, lunch).dishes.get()
    Menu.objects.all().delete()
    client.force_login(canteen_staff)
    # a colleague saves the same day's lunch between this form's check and its save
    _after_the_check(monkeypatch, lambda: make_menu(MEAL_DAY, lunch, price="13.00"))
    form = {
        "day": MEAL_DAY.isoformat(),
        "slot": lunch.pk,
        "dishes": [dish.pk],
        "price": "15.00",
        "portion_limit": "",
        "note": "",
    }

    response = client.post(reverse("canteen:menu-add"), form)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(Menu.objects.values_list("price", flat=True)) == [Decimal("13.00")]


def test_a_menu_deleted_while_it_was_being_changed_is_a_form_error_not_a_500(
    client, monkeypatch, community, lunch, canteen_staff, time_machine
):
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    menu = make_menu(MEAL_DAY, lunch, portions=10)
    client.force_login(canteen_staff)
    _after_the_check(monkeypatch, lambda: Menu.objects.filter(pk=menu.pk).delete())

    response = client.post(
        reverse("canteen:menu-edit", args=[menu.pk]), _menu_form(menu, portion_limit="8")
    )

    assert response.status_code == 200
    assert "这份菜单刚刚已被删除" in str(response.context["form"].non_field_errors())
    assert not Menu.objects.exists()


@pytest.mark.parametrize("page", ["admin", "staff page"])
def test_lowering_the_limit_to_no_fewer_than_taken_still_saves(
    client, booked_menu, resident, canteen_staff, page
):
    services.book(booked_menu, resident.member, by=resident)
    url = {
        "admin": f"/admin/canteen/menu/{booked_menu.pk}/change/",
        "staff page": reverse("canteen:menu-edit", args=[booked_menu.pk]),
    }[page]
    client.force_login(canteen_staff)

    response = client.post(url, _menu_form(booked_menu, portion_limit="2", note="少做几份"))

    assert response.status_code == 302
    booked_menu.refresh_from_db()
    assert (booked_menu.portion_limit, booked_menu.note) == (2, "少做几份")
    assert booked_menu.dishes.count() == 1
    changed = booked_menu.history.order_by("history_date", "history_id").last()
    assert changed.history_type == "~" and changed.history_user == canteen_staff


def test_a_plan_saved_after_the_meal_was_called_off_does_not_undo_calling_off(
    client, monkeypatch, booked_menu, canteen_staff
):
    """The save writes what staff plan, not the publishing and calling-off fields it read."""
    client.force_login(canteen_staff)
    check = Menu.clean

    def check_then_call_off(self):
        check(self)
        monkeypatch.setattr(Menu, "clean", check)
        services.call_off_menu(booked_menu, by=canteen_staff, reason="停水，厨房今天关闭")

    monkeypatch.setattr(Menu, "clean", check_then_call_off)

    response = client.post(
        reverse("canteen:menu-edit", args=[booked_menu.pk]), _menu_form(booked_menu, note="改汤")
    )

    assert response.status_code == 302
    booked_menu.refresh_from_db()
    assert booked_menu.note == "改汤"
    assert booked_menu.is_called_off and booked_menu.is_published


# ---------------------------------------------------------------- PostgreSQL, real threads


def _wait_for_a_lock_waiter(timeout=10.0, *, unless_done=None) -> bool:
    """Wait until another session of this database waits for a lock (True), or time out, or
    the thread `unless_done` ends (False)."""
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if unless_done is not None and not unless_done.is_alive():
            return False
        with connection.cursor() as cursor:
            # pg_stat_activity is read once per transaction unless the snapshot is cleared
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(query)
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def _in_thread(work):
    """Start `work()` in a thread of its own (its own connection); returns (thread, outcome)."""
    outcome = []

    def target():
        try:
            outcome.append(work())
        except Exception as e:  # noqa: BLE001 - the outcome is what the test inspects
            outcome.append(e)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


STAFF_URLS = {
    "admin": lambda menu: f"/admin/canteen/menu/{menu.pk}/change/",
    "staff page": lambda menu: reverse("canteen:menu-edit", args=[menu.pk]),
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", list(STAFF_URLS))
def test_a_booking_in_flight_during_the_check_is_counted_before_the_save(
    client, community, lunch, elder, canteen_staff, time_machine, page
):
    """A booking holds the menu's lock while staff submit fewer portions: the save waits for
    it, then refuses on the form, since the booking is now taken."""
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    menu = make_menu(MEAL_DAY, lunch, portions=10)
    services.book(menu, elder.member, by=elder)
    late = make_user("晚到的", birth_date=MEAL_DAY.replace(year=1952))
    client.force_login(canteen_staff)
    made = threading.Event()

    def book_and_hold():
        with transaction.atomic():
            booking = services.book(menu, late.member, by=late)
            made.set()
            _wait_for_a_lock_waiter()  # the staff member's save, waiting for the menu's lock
        return booking

    thread, outcome = _in_thread(book_and_hold)
    assert made.wait(10)
    response = client.post(STAFF_URLS[page](menu), _menu_form(menu, portion_limit="1"))
    thread.join(10)

    assert not isinstance(outcome[0], Exception), outcome
    assert response.status_code == 200
    assert FEWER in response.content.decode()
    menu.refresh_from_db()
    assert menu.portion_limit == 10
    assert _taken(menu) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_booking_after_the_admins_check_waits_for_its_save(
    client, monkeypatch, community, lunch, elder, canteen_staff, time_machine
):
    """The admin holds the menu's lock from before its check to the save: a booking arriving
    in between waits, then finds the new limit reached."""
    time_machine.move_to(at(MEAL_DAY, 8, 0), tick=False)
    menu = make_menu(MEAL_DAY, lunch, portions=10)
    services.book(menu, elder.member, by=elder)
    late = make_user("晚到的", birth_date=MEAL_DAY.replace(year=1952))
    client.force_login(canteen_staff)
    check = Menu.clean
    booking = {}

    def check_then_book(self):
        check(self)
        monkeypatch.setattr(Menu, "clean", check)
        booking["thread"], booking["outcome"] = _in_thread(
            lambda: services.book(menu, late.member, by=late)
        )
        # the booking waits for the admin's lock (with the fix), or is made at once (without)
        _wait_for_a_lock_waiter(unless_done=booking["thread"])

    monkeypatch.setattr(Menu, "clean", check_then_book)
    response = client.post(
        f"/admin/canteen/menu/{menu.pk}/change/", _menu_form(menu, portion_limit="1")
    )
    booking["thread"].join(10)

    assert response.status_code == 302
    assert isinstance(booking["outcome"][0], services.CanteenError), booking["outcome"]
    menu.refresh_from_db()
    assert menu.portion_limit == 1
    assert _taken(menu) == 1
