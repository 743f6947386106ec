"""Menus: the meal-set price stays in the community's range; copy last week; publish."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from canteen import services
from canteen.models import Dish, Menu
from tests.canteen.helpers import MEAL_DAY, make_menu


@pytest.mark.parametrize(
    "price,ok",
    [("11.99", False), ("12.00", True), ("14.50", True), ("16.00", True), ("16.01", False)],
    ids=["below-min", "at-min", "middle", "at-max", "above-max"],
)
def test_menu_price_must_be_within_the_community_range(community, lunch, price, ok):
    menu = Menu(day=MEAL_DAY, slot=lunch, price=Decimal(price))
    if ok:
        menu.full_clean()
    else:
        with pytest.raises(ValidationError) as exc:
            menu.full_clean()
        assert "price" in exc.value.message_dict


def test_the_price_range_is_read_from_the_community_at_call_time(community, lunch):
    community.meal_price_max = Decimal("18.00")
    community.save()
    Menu(day=MEAL_DAY, slot=lunch, price=Decimal("17.50")).full_clean()


def test_publishing_refuses_a_price_outside_the_range_and_changes_nothing(community, lunch):
    menu = make_menu(price="20.00", published=False)
    with pytest.raises(services.CanteenError, match="12.00"):
        services.publish_menus([menu])
    menu.refresh_from_db()
    assert menu.is_published is False


def test_publishing_refuses_a_menu_without_dishes(community, lunch):
    menu = Menu.objects.create(day=MEAL_DAY, slot=lunch, price=Decimal("14.00"))
    with pytest.raises(services.CanteenError):
        services.publish_menus([menu])
    menu.refresh_from_db()
    assert not menu.is_published


def test_publish_week_publishes_every_draft_of_the_week(community, lunch, dinner):
    monday = date(2026, 5, 4)
    a = make_menu(monday, lunch, published=False)
    b = make_menu(monday + timedelta(days=2), dinner, published=False)
    other = make_menu(monday + timedelta(days=7), lunch, published=False)
    assert services.publish_week(monday) == 2
    a.refresh_from_db(), b.refresh_from_db(), other.refresh_from_db()
    assert a.is_published and a.published_at and b.is_published
    assert not other.is_published


def test_copy_last_week_copies_drafts_with_dishes_and_is_idempotent(community, lunch, dinner):
    monday = date(2026, 5, 4)
    fish = Dish.objects.create(name="清蒸鱼", is_low_salt=True)
    make_menu(monday - timedelta(days=7), lunch, price="13.00", dishes=[fish], portions=40)
    make_menu(monday - timedelta(days=5), dinner, price="15.00")
    assert services.copy_last_week(monday) == 2
    copied = Menu.objects.get(day=monday, slot=lunch)
    assert copied.price == Decimal("13.00")
    assert copied.portion_limit == 40
    assert not copied.is_published
    assert list(copied.dishes.all()) == [fish]
    assert services.copy_last_week(monday) == 0
    assert Menu.objects.filter(day__gte=monday).count() == 2


def test_copy_last_week_refuses_when_last_week_is_empty(community, lunch):
    with pytest.raises(services.CanteenError):
        services.copy_last_week(date(2026, 5, 4))


def test_week_plan_page_copies_and_publishes_for_canteen_staff(client, canteen_staff, lunch):
    monday = date(2026, 5, 4)
    make_menu(monday - timedelta(days=7), lunch)
    client.force_login(canteen_staff)
    response = client.post("/canteen/staff/week/", {"week": "2026-05-04", "action": "copy"})
    assert response.status_code == 302
    assert Menu.objects.filter(day=monday).count() == 1
    client.post("/canteen/staff/week/", {"week": "2026-05-04", "action": "publish"})
    assert Menu.objects.get(day=monday).is_published
    page = client.get("/canteen/staff/week/?week=2026-05-04")
    assert page.status_code == 200
    assert len(page.context["menus"]) == 1


@pytest.mark.parametrize("who", ["resident", "events_staff", "outsider"])
def test_week_plan_is_only_for_canteen_staff(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/canteen/staff/week/").status_code == 403
    assert client.post("/canteen/staff/week/", {"action": "copy"}).status_code == 403


def test_a_dish_photo_gets_a_thumbnail(db, tmp_path, settings):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buf = BytesIO()
    Image.new("RGB", (1200, 900), "orange").save(buf, format="PNG")
    dish = Dish(name="番茄炒蛋")
    dish.photo = SimpleUploadedFile("egg.png", buf.getvalue(), content_type="image/png")
    dish.save()
    assert dish.thumbnail.name.endswith("-thumb.jpg")
    with Image.open(dish.thumbnail.path) as thumb:
        assert max(thumb.size) <= 320


def test_copy_last_week_skips_a_slot_no_longer_served(community, lunch, dinner):
    monday = date(2026, 5, 4)
    make_menu(monday - timedelta(days=7), lunch)
    make_menu(monday - timedelta(days=7), dinner)
    dinner.is_active = False
    dinner.save()
    assert services.copy_last_week(monday) == 1
    assert Menu.objects.get(day=monday).slot == lunch


def test_staff_plan_a_menu_on_the_staff_page(client, canteen_staff, lunch):
    dish = Dish.objects.create(name="清蒸鲈鱼")
    client.force_login(canteen_staff)
    assert client.get("/canteen/staff/menus/new/?day=2026-05-06").status_code == 200
    data = {
        "day": "2026-05-06",
        "slot": lunch.pk,
        "dishes": [dish.pk],
        "price": "16.50",
        "portion_limit": "",
        "note": "",
    }
    refused = client.post("/canteen/staff/menus/new/", data)
    assert refused.status_code == 200
    assert "12.00" in str(refused.context["form"].errors["price"])
    assert not Menu.objects.exists()

    data["price"] = "15.00"
    response = client.post("/canteen/staff/menus/new/", data)
    assert response.status_code == 302
    menu = Menu.objects.get()
    assert (menu.price, menu.is_published, list(menu.dishes.all())) == (
        Decimal("15.00"),
        False,
        [dish],
    )

    duplicate = client.post("/canteen/staff/menus/new/", data)
    assert duplicate.status_code == 200
    assert Menu.objects.count() == 1

    data["price"] = "13.00"
    client.post(f"/canteen/staff/menus/{menu.pk}/", data)
    menu.refresh_from_db()
    assert menu.price == Decimal("13.00")
    added, changed = menu.history.order_by("history_date", "history_id")
    assert added.history_type == "+" and changed.history_type == "~"
    delta = changed.diff_against(added)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("price", Decimal("15.00"), Decimal("13.00"))
    ]
    assert changed.history_user == canteen_staff


@pytest.mark.parametrize("who", ["resident", "classes_staff"])
def test_only_canteen_staff_plan_menus(client, request, who, lunch):
    menu = make_menu(published=False)
    client.force_login(request.getfixturevalue(who))
    assert client.get("/canteen/staff/menus/new/").status_code == 403
    response = client.post(f"/canteen/staff/menus/{menu.pk}/", {"price": "12.00"})
    assert response.status_code == 403
    menu.refresh_from_db()
    assert menu.price == Decimal("14.00")
