"""The counter: find a resident, see price and subsidy, record the meal, print the receipt."""

from decimal import Decimal

import pytest

from canteen import cards, services
from canteen.models import (
    Booking,
    ClosedMonth,
    Collector,
    Funder,
    MealRecord,
    SubsidisedSlot,
    SubsidyLine,
    SubsidyRule,
)
from tests.canteen.helpers import MEAL_DAY, make_menu


@pytest.fixture
def staff_client(client, canteen_staff):
    client.force_login(canteen_staff)
    return client


@pytest.mark.parametrize("who", ["resident", "elder", "volunteer", "events_staff", "outsider"])
def test_the_counter_is_only_for_canteen_staff(client, request, who, elder, menu):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/canteen/counter/?q=刘").status_code == 403
    assert client.get(f"/canteen/counter/{elder.member.pk}/").status_code == 403
    response = client.post(
        f"/canteen/counter/{elder.member.pk}/", {"action": "record", "menu": menu.pk}
    )
    assert response.status_code == 403
    assert not MealRecord.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, elder):
    response = client.get("/canteen/counter/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_find_a_resident_by_name_mobile_or_code(staff_client, elder, resident, menu):
    by_name = staff_client.get("/canteen/counter/?q=刘奶")
    assert [m for m, _b, _a in by_name.context["results"]] == [elder.member]
    by_mobile = staff_client.get(f"/canteen/counter/?q={elder.mobile[-6:]}")
    assert [m for m, _b, _a in by_mobile.context["results"]] == [elder.member]
    assert elder.masked_mobile in by_mobile.content.decode()
    assert elder.mobile not in by_mobile.content.decode()
    code = cards.member_code(elder.member.pk)
    by_code = staff_client.get(f"/canteen/counter/?q={code.lower()}")
    assert by_code.status_code == 302
    assert by_code["Location"] == f"/canteen/counter/{elder.member.pk}/"


def test_a_mistyped_member_code_finds_nobody(staff_client, elder):
    code = cards.member_code(elder.member.pk)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert cards.parse_member_code(wrong) is None
    response = staff_client.get(f"/canteen/counter/?q={wrong}")
    assert response.context["results"] == []


def test_the_counter_shows_price_subsidy_and_amount_to_pay(staff_client, elder, menu, morning):
    services.book(menu, elder.member, by=elder)
    response = staff_client.get(f"/canteen/counter/{elder.member.pk}/")
    assert response.status_code == 200
    ((shown_menu, quote),) = response.context["menus"]
    assert shown_menu == menu
    assert quote.price == Decimal("14.00")
    assert quote.subsidy == Decimal("4.00")
    assert quote.to_pay == Decimal("10.00")
    body = response.content.decode()
    assert "¥10.00" in body and "−¥4.00" in body
    assert 'data-testid="todays-booking"' in body


def test_recording_a_booked_meal_copies_price_and_subsidy_lines(
    staff_client, canteen_staff, elder, menu, elder_rule, morning
):
    booking = services.book(menu, elder.member, by=elder)
    response = staff_client.post(
        f"/canteen/counter/{elder.member.pk}/", {"action": "record", "menu": menu.pk}
    )
    record = MealRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/canteen/meals/{record.pk}/"
    assert record.booking == booking
    assert (record.price, record.subsidy, record.paid) == (
        Decimal("14.00"),
        Decimal("4.00"),
        Decimal("10.00"),
    )
    assert record.age == 76
    assert record.recorded_by == canteen_staff
    line = record.lines.get()
    assert (line.rule, line.funder, line.amount) == (elder_rule, Funder.GOVERNMENT, Decimal("4.00"))
    assert SubsidisedSlot.objects.filter(record=record).exists()

    receipt = staff_client.get(response["Location"])
    body = receipt.content.decode()
    assert "¥14.00" in body and "−¥4.00" in body and "¥10.00" in body
    assert elder_rule.name in body


def test_changing_the_rule_later_never_changes_a_recorded_meal(
    canteen_staff, elder, menu, elder_rule, morning
):
    record = services.record_meal(menu, elder.member, by=canteen_staff)
    elder_rule.amount = Decimal("6.00")
    elder_rule.name = "改过的规则"
    elder_rule.save()
    menu.price = Decimal("16.00")
    menu.save()
    record.refresh_from_db()
    line = record.lines.get()
    assert (record.price, record.subsidy, line.amount, line.rule_name) == (
        Decimal("14.00"),
        Decimal("4.00"),
        Decimal("4.00"),
        "60周岁以上老人就餐补贴",
    )


def test_a_walk_in_under_60_pays_the_full_price(canteen_staff, resident, menu, morning):
    record = services.record_meal(menu, resident.member, by=canteen_staff)
    assert record.booking is None
    assert (record.subsidy, record.paid) == (Decimal("0.00"), Decimal("14.00"))
    assert not record.lines.exists()
    assert not SubsidisedSlot.objects.exists()


def test_a_second_meal_in_the_same_slot_is_charged_in_full(canteen_staff, elder, menu, morning):
    services.record_meal(menu, elder.member, by=canteen_staff)
    second = services.record_meal(menu, elder.member, by=canteen_staff)
    assert (second.subsidy, second.paid) == (Decimal("0.00"), Decimal("14.00"))
    assert SubsidisedSlot.objects.count() == 1


def test_the_database_refuses_a_second_subsidised_meal_per_slot(
    canteen_staff, elder, menu, morning
):
    from django.db import IntegrityError, transaction

    record = services.record_meal(menu, elder.member, by=canteen_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidisedSlot.objects.create(
            member=elder.member,
            day=menu.day,
            slot=menu.slot,
            record=services.record_meal(menu, elder.member, by=canteen_staff),
        )
    assert SubsidisedSlot.objects.get().record == record


def test_dinner_is_a_separate_slot_with_its_own_subsidy(
    canteen_staff, elder, menu, dinner, morning
):
    supper = make_menu(MEAL_DAY, dinner, price="13.00")
    services.record_meal(menu, elder.member, by=canteen_staff)
    assert services.record_meal(supper, elder.member, by=canteen_staff).subsidy == Decimal("4.00")


def test_a_proxy_collector_is_recorded_on_the_meal(staff_client, elder, menu, morning):
    daughter = Collector.objects.create(member=elder.member, name="刘女儿", relation="女儿")
    staff_client.post(
        f"/canteen/counter/{elder.member.pk}/",
        {"action": "record", "menu": menu.pk, "collector": daughter.pk},
    )
    record = MealRecord.objects.get()
    assert (record.collector, record.collector_name) == (daughter, "刘女儿")


def test_a_collector_of_someone_else_is_refused(staff_client, elder, resident, menu, morning):
    theirs = Collector.objects.create(member=resident.member, name="别人")
    response = staff_client.post(
        f"/canteen/counter/{elder.member.pk}/",
        {"action": "record", "menu": menu.pk, "collector": theirs.pk},
    )
    assert response.status_code == 200
    assert "collector" in response.context["record_form"].errors
    assert not MealRecord.objects.exists()


def test_a_meal_for_an_unknown_person_is_refused(staff_client, menu):
    assert staff_client.get("/canteen/counter/999999/").status_code == 404
    response = staff_client.post("/canteen/counter/999999/", {"action": "record", "menu": menu.pk})
    assert response.status_code == 404
    assert not MealRecord.objects.exists()


def test_a_meal_in_a_closed_month_is_refused(canteen_staff, elder, menu, morning):
    ClosedMonth.objects.create(month=MEAL_DAY.replace(day=1))
    with pytest.raises(services.CanteenError):
        services.record_meal(menu, elder.member, by=canteen_staff)
    assert not MealRecord.objects.exists()


def test_a_correction_is_a_new_reversing_row_with_a_reason(
    staff_client, canteen_staff, elder, menu, morning
):
    record = services.record_meal(menu, elder.member, by=canteen_staff)
    refused = staff_client.post(f"/canteen/meals/{record.pk}/reverse/", {"reason": ""})
    assert refused.status_code == 302
    assert MealRecord.objects.count() == 1

    response = staff_client.post(f"/canteen/meals/{record.pk}/reverse/", {"reason": "记错了人"})
    reversal = MealRecord.objects.get(kind=MealRecord.Kind.REVERSAL)
    assert response["Location"] == f"/canteen/meals/{reversal.pk}/"
    assert (reversal.price, reversal.subsidy, reversal.paid) == (
        Decimal("-14.00"),
        Decimal("-4.00"),
        Decimal("-10.00"),
    )
    assert reversal.reverses == record and reversal.reason == "记错了人"
    assert reversal.lines.get().amount == Decimal("-4.00")
    record.refresh_from_db()
    assert record.paid == Decimal("10.00")  # the original row is untouched
    assert not SubsidisedSlot.objects.exists()  # the slot's subsidy is free again
    with pytest.raises(services.CanteenError):
        services.reverse_meal(record, reason="again", by=canteen_staff)
    assert services.record_meal(menu, elder.member, by=canteen_staff).subsidy == Decimal("4.00")


def test_the_receipt_is_private_to_the_household_and_canteen_staff(
    client, canteen_staff, elder, resident, events_staff, menu, morning
):
    record = services.record_meal(menu, elder.member, by=canteen_staff)
    client.force_login(elder)
    assert client.get(f"/canteen/meals/{record.pk}/").status_code == 200
    for other in (resident, events_staff):
        client.force_login(other)
        assert client.get(f"/canteen/meals/{record.pk}/").status_code == 404


def test_ledger_rows_are_read_only_in_the_admin(client, canteen_staff, elder, menu, morning):
    record = services.record_meal(menu, elder.member, by=canteen_staff)
    client.force_login(canteen_staff)
    assert client.get("/admin/canteen/mealrecord/").status_code == 200
    assert client.get(f"/admin/canteen/mealrecord/{record.pk}/change/").status_code == 200
    client.post(f"/admin/canteen/mealrecord/{record.pk}/change/", {"paid": "0.00"})
    assert (
        client.post(f"/admin/canteen/mealrecord/{record.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    record.refresh_from_db()
    assert record.paid == Decimal("10.00")
    assert MealRecord.objects.count() == 1 and SubsidyLine.objects.count() == 1


def test_the_counter_page_runs_a_fixed_number_of_queries(
    staff_client, canteen_staff, elder, menu, dinner, morning, django_assert_max_num_queries
):
    supper = make_menu(MEAL_DAY, dinner)
    for _ in range(30):
        services.record_meal(menu, elder.member, by=canteen_staff)
        services.record_meal(supper, elder.member, by=canteen_staff)
    for i in range(5):
        SubsidyRule.objects.create(
            name=f"r{i}", valid_from=MEAL_DAY, min_age=70 + i, amount="1.00", stacks=True
        )
    Booking.objects.create(menu=supper, member=elder.member)
    with django_assert_max_num_queries(16):
        response = staff_client.get(f"/canteen/counter/{elder.member.pk}/")
    assert len(response.context["records"]) == 60
    with django_assert_max_num_queries(12):
        staff_client.get("/canteen/counter/?q=刘")


def test_the_counter_explains_a_refusal_in_chinese_and_records_nothing(
    staff_client, elder, lunch, morning
):
    full = make_menu(MEAL_DAY, lunch, portions=1)
    Booking.objects.create(menu=full, member=elder.member)
    ClosedMonth.objects.create(month=MEAL_DAY.replace(day=1))
    response = staff_client.post(
        f"/canteen/counter/{elder.member.pk}/", {"action": "record", "menu": full.pk}, follow=True
    )
    assert "2026-05 已结账" in response.content.decode()
    assert not MealRecord.objects.exists()


def test_a_walk_in_is_refused_when_the_portions_are_gone(
    staff_client, resident, elder, lunch, morning
):
    full = make_menu(MEAL_DAY, lunch, portions=1)
    Booking.objects.create(menu=full, member=elder.member)
    response = staff_client.post(
        f"/canteen/counter/{resident.member.pk}/",
        {"action": "record", "menu": full.pk},
        follow=True,
    )
    assert "已订满" in response.content.decode()
    assert not MealRecord.objects.exists()


def test_a_meal_cannot_be_recorded_before_its_day(canteen_staff, elder, lunch, morning):
    from datetime import timedelta

    tomorrow = make_menu(MEAL_DAY + timedelta(days=1), lunch)
    with pytest.raises(services.CanteenError):
        services.record_meal(tomorrow, elder.member, by=canteen_staff)
    assert not MealRecord.objects.exists()


@pytest.mark.parametrize(
    "pk", [1, 42, 999999, 1234567], ids=["one", "small", "six-digits", "seven"]
)
def test_member_codes_round_trip(pk):
    code = cards.member_code(pk)
    assert code.startswith("MC")
    assert cards.parse_member_code(code) == pk
    assert cards.parse_member_code(f"  {code.lower()} ") == pk


def test_the_card_qr_code_opens_the_counter_for_that_person(client, elder, monkeypatch):
    seen = []
    monkeypatch.setattr(cards, "qr_svg", lambda data: seen.append(data) or "<svg></svg>")
    client.force_login(elder)
    client.get("/canteen/me/card/")
    assert seen == [f"http://testserver/canteen/counter/?q={cards.member_code(elder.member.pk)}"]


def test_the_counter_search_keeps_what_was_typed_and_explains_an_empty_search(
    staff_client, django_assert_max_num_queries
):
    staff_client.get("/canteen/counter/")
    with django_assert_max_num_queries(4):
        body = staff_client.get("/canteen/counter/").content.decode()
    assert 'name="q" maxlength="50"' in body and "is-invalid" not in body
    body = staff_client.get("/canteen/counter/?q=%E5%88%98").content.decode()
    assert 'name="q" value="刘"' in body
    response = staff_client.get("/canteen/counter/?q=")
    assert response.context["form"].errors["q"]
    body = response.content.decode()
    assert 'aria-invalid="true"' in body and 'class="invalid-feedback"' in body


def test_the_counter_neither_finds_nor_serves_a_member_who_left(
    staff_client, canteen_staff, parent, menu, morning
):
    from portal import services as portal_services
    from tests.factories import make_child

    grandma = make_child(parent, name="外婆王", birth_date=MEAL_DAY.replace(year=1950))
    portal_services.remove_member(parent, grandma)

    found = staff_client.get("/canteen/counter/?q=外婆王").content.decode()

    assert f"/canteen/counter/{grandma.pk}/" not in found
    grandma.refresh_from_db()
    with pytest.raises(services.CanteenError):
        services.record_meal(menu, grandma, by=canteen_staff)
    assert not MealRecord.objects.filter(member=grandma).exists()
