"""My household: adding children and elders, and never touching another household."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import HouseholdMember
from tests.factories import make_child, make_user

pytestmark = pytest.mark.django_db


def add(client, **data):
    payload = {"name": "小宝", "relation": "child", "birth_date": "2018-03-04"}
    payload.update(data)
    return client.post(reverse("household"), payload)


def test_a_parent_adds_a_child_to_their_household(client, parent):
    client.force_login(parent)

    response = add(client)

    assert response.status_code == 302
    child = HouseholdMember.objects.get(name="小宝")
    assert child.household_id == parent.household_id
    assert child.relation == HouseholdMember.Relation.CHILD
    assert child.birth_date == date(2018, 3, 4)
    assert child.age_on(date(2026, 11, 28)) == 8


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"birth_date": "2999-01-01"}, "cannot be in the future"),
        ({"birth_date": ""}, "A child's birth date is needed"),
        ({"name": ""}, "This field is required"),
        ({"relation": "self"}, "Select a valid choice"),
    ],
    ids=["future-birth", "child-without-birth", "no-name", "second-self"],
)
def test_bad_member_input_is_refused_and_adds_nobody(client, parent, data, message):
    client.force_login(parent)
    before = HouseholdMember.objects.count()

    response = add(client, **data)

    assert response.status_code == 200
    with translation.override("en"):
        errors = " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)
    assert message in errors
    assert HouseholdMember.objects.count() == before


def test_an_elder_parent_without_birth_date_can_be_added(client, resident):
    client.force_login(resident)
    response = add(client, name="老父亲", relation="parent", birth_date="")
    assert response.status_code == 302
    assert HouseholdMember.objects.get(name="老父亲").birth_date is None


def test_the_household_page_lists_only_my_household(client, parent, child):
    other = make_user("隔壁")
    make_child(other, name="别人家的孩子")
    client.force_login(parent)

    html = client.get(reverse("household")).content.decode()

    assert child.name in html
    assert "别人家的孩子" not in html


def test_i_cannot_edit_or_remove_another_households_member(client, parent):
    other = make_user("隔壁")
    theirs = make_child(other, name="别人家的孩子")
    client.force_login(parent)

    edit = client.post(
        reverse("household-member-edit", args=[theirs.pk]),
        {"name": "改名", "relation": "child", "birth_date": "2018-01-01"},
    )
    remove = client.post(reverse("household-member-remove", args=[theirs.pk]))

    assert edit.status_code == 404
    assert remove.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "别人家的孩子"


def test_a_parent_edits_and_removes_their_child(client, parent, child):
    client.force_login(parent)

    client.post(
        reverse("household-member-edit", args=[child.pk]),
        {"name": "张小明明", "relation": "child", "birth_date": "2018-09-01"},
    )
    child.refresh_from_db()
    assert child.name == "张小明明"

    response = client.post(reverse("household-member-remove", args=[child.pk]))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.left_on is not None and child.left_recorded_by == parent
    page = client.get(reverse("household")).content.decode()
    assert page.count('data-testid="member"') == 1  # the parent only


def test_removing_is_post_only(client, parent, child):
    client.force_login(parent)
    assert client.get(reverse("household-member-remove", args=[child.pk])).status_code == 405


def test_an_account_holder_cannot_be_removed_from_the_household_page(client, parent):
    client.force_login(parent)
    me = parent.member

    response = client.post(reverse("household-member-remove", args=[me.pk]), follow=True)

    assert HouseholdMember.objects.filter(pk=me.pk).exists()
    assert response.status_code == 200


def test_the_household_page_runs_a_fixed_number_of_queries(
    client, parent, django_assert_max_num_queries
):
    for i in range(30):
        make_child(parent, name=f"孩子{i}")
    client.force_login(parent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("household"))
    assert response.content.decode().count('data-testid="member"') == 31


def test_saving_my_address_moves_my_household(client, parent):
    client.force_login(parent)
    response = client.post(
        reverse("profile"),
        {
            "real_name": "张妈妈",
            "birth_date": "1988-05-21",
            "building": "7",
            "unit": "2",
            "room": "1203",
        },
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert (parent.household.building, parent.household.room) == ("7", "1203")


def test_changing_to_a_mobile_number_someone_else_has_is_refused(client, parent, resident):
    client.force_login(parent)
    old = parent.mobile
    response = client.post(reverse("profile"), {"save_mobile": "1", "mobile": resident.mobile})
    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.mobile == old


def test_a_member_with_canteen_meals_leaves_and_keeps_every_record(client, parent, child):
    from canteen.models import Booking, Dish, MealSlot, Menu

    slot = MealSlot.objects.get_or_create(name="午餐", defaults={"order": 1})[0]
    menu = Menu.objects.create(day=date(2020, 12, 1), slot=slot, price="14.00")
    menu.dishes.set([Dish.objects.create(name="红烧肉")])
    booking = Booking.objects.create(menu=menu, member=child)
    client.force_login(parent)

    response = client.post(reverse("household-member-remove", args=[child.pk]))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.member_id == child.pk and booking.status == Booking.Status.BOOKED
    child.refresh_from_db()
    assert child.has_left


def test_a_member_who_left_cannot_be_edited_or_removed_again(client, parent, child):
    client.force_login(parent)
    client.post(reverse("household-member-remove", args=[child.pk]))

    edit = client.post(
        reverse("household-member-edit", args=[child.pk]),
        {"name": "改名", "relation": "child", "birth_date": "2018-01-01"},
    )
    again = client.post(reverse("household-member-remove", args=[child.pk]))

    assert (edit.status_code, again.status_code) == (404, 404)
    child.refresh_from_db()
    assert child.name == "张小明"
