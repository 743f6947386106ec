"""The canteen's part of seed_demo: real data on every page, and safe to run twice."""

from datetime import date

from canteen import demo
from canteen.models import (
    Booking,
    Dish,
    LoveMealDelivery,
    LoveMealRecipient,
    MealRecord,
    Menu,
    SubsidyRule,
)
from portal import demo as portal_demo
from tests.canteen.helpers import at


def test_seed_is_idempotent_and_fills_the_pages(db, settings, tmp_path, time_machine, client):
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(at(date(2026, 5, 6), 7), tick=False)
    community = portal_demo.seed_community()
    people = portal_demo.seed_people()

    lines = demo.seed(None, community, people)
    assert len(lines) == 3
    counts = [
        Dish.objects.count(),
        Menu.objects.count(),
        MealRecord.objects.count(),
        Booking.objects.count(),
        LoveMealRecipient.objects.count(),
        LoveMealDelivery.objects.count(),
        SubsidyRule.objects.count(),
    ]
    demo.seed(None, community, people)
    assert counts == [
        Dish.objects.count(),
        Menu.objects.count(),
        MealRecord.objects.count(),
        Booking.objects.count(),
        LoveMealRecipient.objects.count(),
        LoveMealDelivery.objects.count(),
        SubsidyRule.objects.count(),
    ]
    assert LoveMealDelivery.objects.filter(volunteer__isnull=False).count() == 2
    elder = people["elder"]
    assert MealRecord.objects.filter(member=elder.member, subsidy=4).exists()
    assert Booking.objects.filter(member=elder.member).exists()
    assert Dish.objects.exclude(thumbnail="").count() == 10
    assert LoveMealDelivery.objects.filter(day=date(2026, 5, 8)).count() == 4

    client.force_login(elder)
    assert "¥" in client.get("/canteen/").content.decode()
    assert client.get("/canteen/me/").context["meal_count"] > 0
    client.force_login(people["canteen_staff"])
    page = client.get("/canteen/staff/settlement/?month=2026-04")
    assert page.context["summary"]["subsidised"] > 0
    check_on = client.get("/canteen/staff/check-on/")
    assert [r["member"].full_name for r in check_on.context["rows"]] == ["孙爷爷"]
    client.force_login(people["volunteer"])
    assert "独居" in client.get("/canteen/deliveries/").content.decode() or (
        "困难" in client.get("/canteen/deliveries/").content.decode()
    )
