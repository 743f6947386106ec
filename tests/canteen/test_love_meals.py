"""Love Meal Day: generate the free meals once, volunteer posts, route sheets, delivered view."""

from datetime import date
from decimal import Decimal

import pytest

from canteen import services
from canteen.models import Funder, LoveMealDelivery, LoveMealRecipient
from tests.canteen.helpers import at

DAY = date(2026, 5, 8)


@pytest.fixture
def recipients(db):
    return [
        LoveMealRecipient.objects.create(
            name="独居王伯",
            kind="empty_nest",
            building="12",
            unit="1",
            room="101",
            notes="耳背，请多敲门",
        ),
        LoveMealRecipient.objects.create(
            name="困难户李家", kind="difficulty", building="3", unit="2", room="502", portions=3
        ),
        LoveMealRecipient.objects.create(
            name="已停用", kind="difficulty", building="1", is_active=False
        ),
    ]


def test_generating_the_days_free_meals_is_idempotent(recipients, canteen_staff, community):
    assert services.generate_love_meals(DAY, by=canteen_staff) == 2
    assert services.generate_love_meals(DAY, by=canteen_staff) == 0
    deliveries = LoveMealDelivery.objects.filter(day=DAY)
    assert deliveries.count() == 2
    li = deliveries.get(recipient__name="困难户李家")
    assert li.portions == 3 and li.value == community.meal_price_min
    assert li.funder == Funder.CHARITY


def test_each_delivery_becomes_a_volunteer_post_without_the_address(recipients, canteen_staff):
    services.generate_love_meals(DAY, by=canteen_staff)
    delivery = LoveMealDelivery.objects.get(recipient__name="独居王伯")
    post = delivery.volunteer_post
    assert post.capacity == 1
    assert "12" in post.place
    assert "101" not in post.place and "101" not in post.title
    assert "耳背" not in post.description


def test_the_volunteer_who_takes_the_post_sees_the_address_and_marks_it_delivered(
    client, recipients, canteen_staff, volunteer, resident, time_machine
):
    from volunteers.models import Signup

    time_machine.move_to(at(DAY, 9), tick=False)
    services.generate_love_meals(DAY, by=canteen_staff)
    delivery = LoveMealDelivery.objects.get(recipient__name="独居王伯")
    Signup.objects.create(post=delivery.volunteer_post, volunteer=volunteer)

    client.force_login(resident)
    assert "独居王伯" not in client.get("/canteen/deliveries/").content.decode()
    assert client.post(f"/canteen/deliveries/{delivery.pk}/delivered/").status_code == 404

    client.force_login(volunteer)
    page = client.get("/canteen/deliveries/").content.decode()
    assert "独居王伯" in page and "耳背" in page
    assert "困难户李家" not in page
    response = client.post(f"/canteen/deliveries/{delivery.pk}/delivered/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None


def test_staff_assign_volunteers_and_see_delivered_and_outstanding(
    client, recipients, canteen_staff, volunteer
):
    services.generate_love_meals(DAY, by=canteen_staff)
    first = LoveMealDelivery.objects.get(recipient__name="独居王伯")
    client.force_login(canteen_staff)
    response = client.post(
        f"/canteen/staff/love-meals/{first.pk}/assign/", {"volunteer": volunteer.pk}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.volunteer == volunteer
    services.mark_delivered(first)
    page = client.get("/canteen/staff/love-meals/?day=2026-05-08")
    assert page.context["delivered"] == 1 and page.context["outstanding"] == 1
    with pytest.raises(services.CanteenError):
        services.mark_delivered(first)


def test_the_route_sheet_groups_by_volunteer_and_orders_by_building(
    client, recipients, canteen_staff, volunteer
):
    extra = LoveMealRecipient.objects.create(name="九号楼赵奶奶", kind="empty_nest", building="9")
    services.generate_love_meals(DAY, by=canteen_staff)
    for d in LoveMealDelivery.objects.all():
        services.assign_delivery(d, volunteer)
    client.force_login(canteen_staff)
    response = client.get("/canteen/staff/love-meals/2026-05-08/routes/")
    ((who, deliveries),) = response.context["sheets"]
    assert who == volunteer
    assert [d.recipient.name for d in deliveries] == ["困难户李家", extra.name, "独居王伯"]


@pytest.mark.parametrize("who", ["resident", "volunteer", "events_staff"])
def test_recipients_addresses_are_for_canteen_staff_only(client, request, who, recipients):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/canteen/staff/love-meals/").status_code == 403
    assert client.get("/canteen/staff/love-meals/2026-05-08/routes/").status_code == 403
    assert client.post("/canteen/staff/love-meals/", {"day": "2026-05-08"}).status_code == 403
    assert not LoveMealDelivery.objects.exists()


def test_the_next_love_meal_day_follows_the_community_setting(community):
    assert services.next_love_meal_day(date(2026, 5, 3)) == date(2026, 5, 8)
    assert services.next_love_meal_day(date(2026, 5, 9)) == date(2026, 6, 8)
    community.love_meal_day_of_month = 18
    community.save()
    assert services.next_love_meal_day(date(2026, 5, 9)) == date(2026, 5, 18)


def test_love_meals_never_enter_the_government_claim(recipients, canteen_staff):
    from canteen import reports

    services.generate_love_meals(DAY, by=canteen_staff)
    summary = reports.month_summary(date(2026, 5, 1))
    assert summary["funders"] == []
    assert summary["love_meals"] == 4
    assert summary["love_value"] == Decimal("48.00")


def test_deleting_the_volunteer_post_keeps_the_delivery(recipients, canteen_staff):
    services.generate_love_meals(DAY, by=canteen_staff)
    delivery = LoveMealDelivery.objects.get(recipient__name="独居王伯")

    delivery.volunteer_post.delete()

    delivery.refresh_from_db()
    assert delivery.volunteer_post is None
    assert LoveMealDelivery.objects.filter(day=DAY).count() == 2


def test_the_home_page_points_the_volunteer_to_their_deliveries(
    client, recipients, canteen_staff, volunteer, time_machine
):
    from volunteers.models import Signup

    time_machine.move_to(at(DAY, 9), tick=False)
    services.generate_love_meals(DAY, by=canteen_staff)
    client.force_login(volunteer)
    assert "/canteen/deliveries/" not in client.get("/").content.decode()
    delivery = LoveMealDelivery.objects.first()
    Signup.objects.create(post=delivery.volunteer_post, volunteer=volunteer)
    assert "/canteen/deliveries/" in client.get("/").content.decode()


def test_the_love_meal_funder_is_a_canteen_setting(recipients, canteen_staff):
    from canteen.models import CanteenSettings

    knobs = CanteenSettings.current()
    knobs.love_meal_funder = Funder.MICRO_FUND
    knobs.save()
    services.generate_love_meals(DAY, by=canteen_staff)
    assert set(LoveMealDelivery.objects.values_list("funder", flat=True)) == {"micro_fund"}
