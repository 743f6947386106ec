"""The canteen on a phone: an elder books lunch; the counter records it; the settlement shows it."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from canteen.models import Booking, Dish, MealRecord, MealSlot, Menu, SubsidyRule
from portal import roles
from tests.browser.helpers import log_in, wait_until_it_fits
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

MEAL_DAY = date(2026, 5, 6)


def fits_the_phone(page):
    wait_until_it_fits(page)


def test_elder_books_lunch_and_staff_record_it_at_the_counter(page, time_machine):
    time_machine.move_to(datetime.combine(MEAL_DAY, time(8), tzinfo=ZoneInfo("Asia/Shanghai")))
    # A transactional test starts from empty tables: the migration's defaults, made again.
    lunch = MealSlot.objects.get_or_create(
        name="午餐", defaults={"order": 1, "serves_at": time(11, 30), "booking_cutoff": time(9)}
    )[0]
    SubsidyRule.objects.get_or_create(
        min_age=60,
        category="",
        defaults={
            "name": "60周岁以上老人就餐补贴",
            "valid_from": date(2020, 1, 1),
            "amount": "4.00",
            "funder": "government",
        },
    )
    menu = Menu.objects.create(day=MEAL_DAY, slot=lunch, price="14.00", is_published=True)
    menu.dishes.set([Dish.objects.create(name="清蒸鲈鱼", is_soft=True, is_low_salt=True)])
    elder = make_user("刘奶奶", birth_date=date(1950, 2, 14), building="6")
    elder.large_text = True
    elder.save(update_fields=["large_text"])
    staff = make_user("郑食堂", role_list=[roles.CANTEEN_STAFF])

    # The elder, large text on, books lunch and sees the price after the subsidy.
    log_in(page, elder, next_url="/canteen/")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    card = page.get_by_test_id("menu").first
    expect(card).to_contain_text("清蒸鲈鱼")
    expect(card.get_by_test_id("price")).to_have_text("¥14.00")
    expect(card.get_by_test_id("my-price")).to_contain_text("¥10.00")
    fits_the_phone(page)
    card.get_by_role("button", name=re.compile("午餐")).click()
    expect(page.get_by_test_id("booking")).to_contain_text("刘奶奶")
    expect(page.get_by_test_id("to-pay")).to_have_text("¥10.00")
    assert Booking.objects.get().member == elder.member
    fits_the_phone(page)

    # The canteen counter finds her by name and records the booked meal.
    page.context.clear_cookies()
    log_in(page, staff, next_url="/canteen/counter/")
    page.fill("input[name=q]", "刘奶奶")
    page.locator("form[role=search] button[type=submit]").click()
    page.get_by_test_id("result").first.get_by_role("link").click()
    expect(page.get_by_test_id("todays-booking")).to_be_visible()
    expect(page.get_by_test_id("to-pay")).to_have_text("¥10.00")
    fits_the_phone(page)
    page.locator("form:has(input[name=action][value=record]) button[type=submit]").click()

    receipt = page.get_by_test_id("receipt")
    expect(receipt.get_by_test_id("receipt-price")).to_have_text("¥14.00")
    expect(receipt.get_by_test_id("receipt-subsidy")).to_have_text("−¥4.00")
    expect(receipt.get_by_test_id("receipt-paid")).to_have_text("¥10.00")
    fits_the_phone(page)
    record = MealRecord.objects.get()
    assert record.booking.member == elder.member and str(record.subsidy) == "4.00"

    # The month's settlement shows it.
    page.goto("/canteen/staff/settlement/?month=2026-05")
    expect(page.get_by_test_id("total-subsidy")).to_have_text("¥4.00")
    expect(page.get_by_test_id("settlement-row")).to_contain_text("刘奶奶")


def test_an_elder_books_today_s_lunch_from_the_home_page_in_one_tap(page, time_machine):
    time_machine.move_to(datetime.combine(MEAL_DAY, time(8), tzinfo=ZoneInfo("Asia/Shanghai")))
    lunch = MealSlot.objects.get_or_create(
        name="午餐", defaults={"order": 1, "serves_at": time(11, 30), "booking_cutoff": time(9)}
    )[0]
    SubsidyRule.objects.get_or_create(
        min_age=60,
        category="",
        defaults={
            "name": "60周岁以上老人就餐补贴",
            "valid_from": date(2020, 1, 1),
            "amount": "4.00",
            "funder": "government",
        },
    )
    menu = Menu.objects.create(day=MEAL_DAY, slot=lunch, price="14.00", is_published=True)
    menu.dishes.set([Dish.objects.create(name="清蒸鲈鱼")])
    elder = make_user("刘奶奶", birth_date=date(1950, 2, 14), building="6")

    log_in(page, elder, next_url="/")
    book = page.get_by_test_id("book").first
    expect(book).to_be_visible()
    box = book.bounding_box()
    assert box["y"] + box["height"] <= 740, "the first book button is inside the first screen"
    expect(page.get_by_test_id("elder-meal").first).to_contain_text("¥10.00")
    fits_the_phone(page)

    book.click()  # tap 1
    confirmation = page.get_by_test_id("booking")
    expect(confirmation).to_contain_text("今天")
    expect(confirmation).to_contain_text("清蒸鲈鱼")
    expect(page.get_by_test_id("to-pay")).to_have_text("¥10.00")
    assert Booking.objects.get().status == Booking.Status.BOOKED
    fits_the_phone(page)

    page.get_by_role("button", name="取消这份预订").click()  # one tap to cancel
    expect(page.locator(".alert-success")).to_be_visible()
    assert Booking.objects.get().status == Booking.Status.CANCELLED
