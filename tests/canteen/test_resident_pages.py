"""What residents see: this week's menu with my price, my meals, my card, my collectors."""

from datetime import timedelta
from decimal import Decimal

import pytest

from canteen import cards, services
from canteen.models import Booking, Collector, Dish, MealRecord
from tests.canteen.helpers import MEAL_DAY, make_menu
from tests.pagecache import modules_changed


def test_the_menu_shows_dishes_tags_and_price_to_everyone(client, lunch, morning):
    soft = Dish.objects.create(
        name="肉末蒸蛋", description="嫩滑好咽", is_soft=True, is_low_salt=True, allergens="鸡蛋"
    )
    make_menu(MEAL_DAY, lunch, price="13.00", dishes=[soft])
    make_menu(MEAL_DAY + timedelta(days=1), lunch, price="14.00", published=False)
    response = client.get("/canteen/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "肉末蒸蛋" in body and "嫩滑好咽" in body and "鸡蛋" in body
    assert "¥13.00" in body and "¥14.00" not in body
    assert 'data-testid="my-price"' not in body


def test_an_elder_sees_the_price_after_subsidy(client, elder, menu, morning):
    client.force_login(elder)
    body = client.get("/canteen/").content.decode()
    assert 'data-testid="my-price"' in body
    assert "¥10.00" in body


def test_a_younger_resident_sees_no_subsidised_price(client, resident, menu, morning):
    client.force_login(resident)
    body = client.get("/canteen/").content.decode()
    assert 'data-testid="my-price"' not in body


def test_the_menu_page_shows_nothing_personal_to_visitors(client, elder, menu, morning):
    services.book(menu, elder.member, by=elder)
    body = client.get("/canteen/").content.decode()
    assert elder.real_name not in body and elder.mobile not in body


def test_the_menu_page_runs_a_fixed_number_of_queries(
    client, elder, parent, child, lunch, dinner, canteen_staff, morning, elder_rule
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(user) -> tuple[int, object]:
        client.force_login(user)
        client.get("/canteen/")  # the first request after logging in also reads the session
        modules_changed()  # measured as after any write: nothing of the page kept
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/canteen/")
        return len(ctx.captured_queries), response

    today = make_menu(MEAL_DAY, lunch)
    few, _response = queries(elder)

    dishes = [Dish.objects.create(name=f"菜{i}", allergens="花生") for i in range(6)]
    menus = [
        make_menu(MEAL_DAY + timedelta(days=d), slot, dishes=dishes)
        for d in range(1, 5)
        for slot in (lunch, dinner)
    ]
    for m in menus:
        Booking.objects.create(menu=m, member=elder.member)
    for _ in range(20):
        services.record_meal(today, elder.member, by=canteen_staff)
    many, response = queries(elder)
    assert many == few <= 12
    # Today and tomorrow: today's lunch, tomorrow's lunch and dinner (booked).
    assert sum(len(e) for *_d, e in response.context["days"]) == 3
    assert response.content.decode().count('data-testid="booked"') == 2
    week = client.get(f"/canteen/?day={MEAL_DAY + timedelta(days=3)}")
    assert sum(len(e) for *_d, e in week.context["days"]) == 2

    for m in menus:
        Booking.objects.create(menu=m, member=child)
    household, response = queries(parent)  # two people to book for: a choice on every menu
    assert household == few
    assert response.content.decode().count('name="member"') == 3


def test_my_meals_shows_bookings_meals_paid_and_subsidy_this_month(
    client, elder, canteen_staff, menu, dinner, morning, django_assert_max_num_queries
):
    supper = make_menu(MEAL_DAY, dinner, price="12.00")
    services.book(supper, elder.member, by=elder)
    services.record_meal(menu, elder.member, by=canteen_staff)
    client.force_login(elder)
    with django_assert_max_num_queries(12):
        response = client.get("/canteen/me/")
    assert response.status_code == 200
    assert response.context["meal_count"] == 1
    assert response.context["total_paid"] == Decimal("10.00")
    assert response.context["total_subsidy"] == Decimal("4.00")
    assert [b.menu for b, _can in response.context["upcoming"]] == [supper]


def test_my_meals_shows_only_my_household(client, resident, elder, canteen_staff, menu, morning):
    services.record_meal(menu, elder.member, by=canteen_staff)
    client.force_login(resident)
    response = client.get("/canteen/me/")
    assert response.context["records"] == []
    assert elder.real_name not in response.content.decode()


def test_my_canteen_card_shows_a_qr_code_and_member_code_for_each_member(client, parent, child):
    client.force_login(parent)
    response = client.get("/canteen/me/card/")
    body = response.content.decode()
    assert body.count("<svg") == 2
    assert cards.member_code(parent.member.pk) in body
    assert cards.member_code(child.pk) in body


def test_card_and_my_meals_need_login(client):
    for url in ("/canteen/me/", "/canteen/me/card/", "/canteen/me/collectors/"):
        assert client.get(url).status_code == 302


def test_a_resident_names_a_collector_and_removes_them(client, elder):
    client.force_login(elder)
    response = client.post(
        "/canteen/me/collectors/",
        {
            "member": elder.member.pk,
            "name": "刘女儿",
            "relation": "女儿",
            "mobile": "139 0000 1111",
        },
    )
    assert response.status_code == 302
    collector = Collector.objects.get()
    assert (collector.member, collector.mobile) == (elder.member, "13900001111")
    client.post(f"/canteen/me/collectors/{collector.pk}/remove/")
    collector.refresh_from_db()
    assert collector.is_active is False


def test_a_collector_with_a_bad_mobile_is_refused(client, elder):
    client.force_login(elder)
    response = client.post(
        "/canteen/me/collectors/", {"member": elder.member.pk, "name": "刘女儿", "mobile": "12345"}
    )
    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    assert not Collector.objects.exists()


def test_nobody_removes_another_households_collector(client, elder, resident):
    collector = Collector.objects.create(member=elder.member, name="刘女儿")
    client.force_login(resident)
    assert client.post(f"/canteen/me/collectors/{collector.pk}/remove/").status_code == 404
    collector.refresh_from_db()
    assert collector.is_active


def test_the_home_section_shows_todays_menu_and_my_booking(
    client, elder, menu, morning, django_assert_max_num_queries
):
    services.book(menu, elder.member, by=elder)
    client.force_login(elder)
    body = client.get("/").content.decode()
    assert "红烧肉" in body and "¥14.00" in body


@pytest.mark.parametrize("hh,bookable", [(8, True), (10, False)], ids=["before", "after"])
def test_the_book_button_disappears_after_the_cutoff(
    client, elder, menu, time_machine, hh, bookable
):
    from tests.canteen.helpers import at

    time_machine.move_to(at(MEAL_DAY, hh), tick=False)
    client.force_login(elder)
    body = client.get("/canteen/").content.decode()
    assert ('action="/canteen/book/"' in body) is bookable
    assert MealRecord.objects.count() == 0


def test_the_menu_opens_on_today_and_tomorrow_with_a_day_picker(client, lunch, morning):
    make_menu(MEAL_DAY - timedelta(days=1), lunch)
    for d in (0, 1, 2, 7):
        make_menu(MEAL_DAY + timedelta(days=d), lunch)
    make_menu(MEAL_DAY + timedelta(days=20), lunch)  # beyond next week: not offered yet
    response = client.get("/canteen/")
    assert [day for day, *_r in response.context["days"]] == [MEAL_DAY, MEAL_DAY + timedelta(1)]
    assert [words for _d, words, *_r in response.context["days"]] == ["今天", "明天"]
    picker = response.context["picker"]
    assert [c["day"] for c in picker] == [MEAL_DAY + timedelta(days=d) for d in (0, 1, 2, 7)]
    assert [c["current"] for c in picker] == [True, True, False, False]
    body = response.content.decode()
    assert 'href="?day=2026-05-13"' in body and "5月8日 星期五" in body

    later = client.get("/canteen/?day=2026-05-13")
    assert [day for day, *_r in later.context["days"]] == [MEAL_DAY + timedelta(days=7)]
    # A day already past, or far ahead, shows the nearest day the menu covers.
    past = client.get("/canteen/?day=2026-05-01")
    assert [day for day, *_r in past.context["days"]] == [MEAL_DAY]
    old_link = client.get("/canteen/?week=2026-05-11")
    assert [day for day, *_r in old_link.context["days"]] == [MEAL_DAY + timedelta(days=5)] or (
        old_link.context["start"] == MEAL_DAY + timedelta(days=5)
    )


@pytest.mark.parametrize(
    "who,staff", [("canteen_staff", True), ("elder", False), ("events_staff", False)]
)
def test_the_menu_bar_shows_the_staff_pages_to_canteen_staff_only(
    client, request, lunch, morning, who, staff
):
    client.force_login(request.getfixturevalue(who))
    for url in ("/canteen/", "/canteen/me/"):
        body = client.get(url).content.decode()
        assert ('href="/canteen/counter/"' in body) is staff
        assert ('href="/canteen/staff/settlement/"' in body) is staff
