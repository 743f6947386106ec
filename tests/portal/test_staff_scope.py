"""Staff see only the people their work involves, and only the details that work needs."""

from datetime import date

import pytest
from django.urls import reverse

from portal import roles
from portal.models import User
from portal.people import visible_households, visible_members, visible_users
from tests.factories import make_user
from tests.portal.register import build_register

pytestmark = pytest.mark.django_db

PEOPLE = ["diner", "elder", "registrant", "parent", "volunteer", "team_leader", "bystander"]
# Who each role finds in the user admin, from the register (everyone sees themselves too).
SEES = {
    roles.CANTEEN_STAFF: {"diner", "elder"},
    roles.EVENTS_STAFF: {"registrant"},
    roles.CLASSES_STAFF: {"parent"},
    roles.VOLUNTEER_COORDINATOR: {"volunteer", "team_leader"},
    roles.COMMUNITY_ADMIN: set(PEOPLE),
}


@pytest.fixture
def register(time_machine):
    time_machine.move_to("2026-09-01 10:00 +08:00", tick=False)
    return build_register()


def _changelist_names(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return {str(obj) for obj in response.context["cl"].result_list}


@pytest.mark.parametrize("role", list(SEES), ids=list(SEES))
def test_each_staff_role_finds_only_its_people_in_the_user_admin(client, register, role):
    staff = make_user("职员", role_list=[role])
    client.force_login(staff)

    names = _changelist_names(client, reverse("admin:portal_user_changelist"))

    expected = {getattr(register, p).display_name for p in SEES[role]} | {"职员"}
    people = {getattr(register, p).display_name for p in PEOPLE} | {"职员"}
    assert names & people == expected


def test_a_superuser_sees_the_whole_register(client, register):
    boss = User.objects.create_superuser("boss", password="x", mobile="13600000000")
    client.force_login(boss)

    names = _changelist_names(client, reverse("admin:portal_user_changelist"))

    assert {getattr(register, p).display_name for p in PEOPLE} <= names


def test_a_teacher_reaches_the_children_they_teach_and_their_parents_only(register):
    teacher = register.teacher_user

    users = set(visible_users(teacher).values_list("real_name", flat=True))
    members = set(visible_members(teacher).values_list("name", flat=True))

    assert users == {"张妈妈", "林老师"}
    assert "张小明" in members and "赵小宝" not in members


def test_a_team_leader_reaches_their_team_only(register):
    other_team_volunteer = make_user("钱志愿", role_list=[roles.VOLUNTEER])

    users = set(visible_users(register.team_leader).values_list("real_name", flat=True))

    assert users == {"陈队长", "李志愿"}
    assert other_team_volunteer.real_name not in users


def test_a_resident_reaches_only_themselves(register):
    assert list(visible_users(register.bystander)) == [register.bystander]
    assert list(visible_households(register.bystander)) == [register.bystander.household]


def test_classes_staff_see_enrolled_children_but_not_other_children(client, register):
    client.force_login(make_user("王课堂", role_list=[roles.CLASSES_STAFF]))

    names = _changelist_names(client, reverse("admin:portal_householdmember_changelist"))

    assert "张小明" in names
    assert "赵小宝" not in names
    assert "孙食客" not in names


def test_a_household_shows_staff_only_its_members_in_their_scope(client, register):
    client.force_login(make_user("吴活动", role_list=[roles.EVENTS_STAFF]))
    url = reverse("admin:portal_household_change", args=[register.registrant.household_id])

    response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "赵报名" in body
    assert "赵小宝" not in body  # the registrant's child registered for nothing
    assert "2019" not in body  # and no birth dates for events staff


def test_staff_cannot_open_a_person_outside_their_scope(client, register):
    client.force_login(make_user("郑食堂", role_list=[roles.CANTEEN_STAFF]))

    for url in [
        reverse("admin:portal_user_change", args=[register.bystander.pk]),
        reverse("admin:portal_user_history", args=[register.bystander.pk]),
        reverse("admin:portal_householdmember_change", args=[register.child.pk]),
        reverse("admin:portal_household_change", args=[register.parent.household_id]),
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "张小明" not in response.content.decode()
        assert "路过者" not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "person", "shows_birth_date"),
    [
        (roles.CANTEEN_STAFF, "elder", True),
        (roles.EVENTS_STAFF, "registrant", False),
        (roles.CLASSES_STAFF, "parent", False),
        (roles.VOLUNTEER_COORDINATOR, "volunteer", False),
    ],
    ids=["canteen-elder", "events-registrant", "classes-parent", "coordinator-volunteer"],
)
def test_a_person_s_page_shows_staff_only_the_details_their_work_needs(
    client, register, role, person, shows_birth_date
):
    client.force_login(make_user("职员", role_list=[role]))
    user = getattr(register, person)

    response = client.get(reverse("admin:portal_user_change", args=[user.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert user.real_name in body
    assert user.masked_mobile in body
    assert user.mobile not in body
    assert (str(user.birth_date.year) in body) is shows_birth_date
    for field in ["is_superuser", "user_permissions", "password", "privacy_consented_at"]:
        assert f"field-{field}" not in body


@pytest.mark.parametrize(
    ("role", "shows_birth_date"),
    [(roles.CLASSES_STAFF, True), (roles.COMMUNITY_ADMIN, True)],
    ids=["classes-staff", "community-admin"],
)
def test_children_s_birth_dates_are_shown_to_whoever_needs_them(
    client, register, role, shows_birth_date
):
    client.force_login(make_user("职员", role_list=[role]))

    response = client.get(reverse("admin:portal_householdmember_change", args=[register.child.pk]))

    assert response.status_code == 200
    assert ("2018" in response.content.decode()) is shows_birth_date


def test_canteen_staff_see_diners_but_no_children_who_do_not_dine(client, register):
    client.force_login(make_user("郑食堂", role_list=[roles.CANTEEN_STAFF]))

    names = _changelist_names(client, reverse("admin:portal_householdmember_changelist"))

    assert {"孙食客", "刘奶奶"} <= names
    assert not names & {"张小明", "赵小宝", "张妈妈"}


def test_search_finds_a_person_in_scope_by_the_full_number_they_type(client, register):
    client.force_login(make_user("王课堂", role_list=[roles.CLASSES_STAFF]))
    url = reverse("admin:portal_user_changelist")

    assert _changelist_names(client, url, q="+86 137-0000-0004") == {"张妈妈"}
    assert _changelist_names(client, url, q="0004") == set()
    assert _changelist_names(client, url, q="1370000000") == set()
    assert _changelist_names(client, url, q="13700000006") == set()  # the bystander


def test_a_pick_a_person_pop_up_finds_anyone_by_their_full_number_only(client, register):
    client.force_login(make_user("郑食堂", role_list=[roles.CANTEEN_STAFF]))
    url = reverse("admin:portal_householdmember_changelist")

    assert _changelist_names(client, url, q="13700000006", _popup="1") == {"路过者"}
    assert _changelist_names(client, url, q="路过", _popup="1") == set()
    assert "路过者" not in _changelist_names(client, url, _popup="1")


def test_scoped_staff_get_no_filters_that_list_roles_or_staff(client, register):
    client.force_login(make_user("吴活动", role_list=[roles.EVENTS_STAFF]))

    response = client.get(reverse("admin:portal_user_changelist"))

    assert response.context["cl"].has_filters is False
    body = response.content.decode()
    assert "is_superuser__exact" not in body
    assert "groups__id__exact" not in body
    assert "is_staff" not in response.context["cl"].list_display


def test_every_list_masks_mobile_numbers_even_for_community_admins(client, register):
    client.force_login(make_user("管理员", role_list=[roles.COMMUNITY_ADMIN]))

    response = client.get(reverse("admin:portal_user_changelist"))

    body = response.content.decode()
    assert "137****0001" in body
    for user in User.objects.exclude(mobile=None).exclude(real_name="管理员"):
        assert user.mobile not in body


def test_scoped_changelists_run_the_same_queries_however_many_people_are_in_scope(client, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from canteen.models import Booking
    from tests.canteen.helpers import make_menu

    client.force_login(make_user("郑食堂", role_list=[roles.CANTEEN_STAFF]))
    names = ["user", "household", "householdmember"]
    urls = [reverse(f"admin:portal_{name}_changelist") for name in names]
    client.get(urls[0])  # the first request creates the community's row

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx))
        return found

    before = counts()
    menu = make_menu(day=date(2026, 5, 7))
    for i in range(6):
        diner = make_user(f"食客{i}", birth_date=register.diner.birth_date)
        Booking.objects.create(menu=menu, member=diner.member, booked_by=diner)

    assert counts() == before
    assert max(before) <= 13


def _form_data(form):
    """What the browser would send back for an unchanged admin form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def test_the_change_form_never_holds_the_whole_number_yet_keeps_and_changes_it(client, register):
    client.force_login(make_user("管理员", role_list=[roles.COMMUNITY_ADMIN]))
    person = register.parent
    User.objects.filter(pk=person.pk).update(username="zhang-mama")  # as allauth makes them
    url = reverse("admin:portal_user_change", args=[person.pk])

    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert person.mobile not in body
    assert person.masked_mobile in body
    assert reverse("show-mobile", args=[person.pk]) in body

    data = _form_data(page.context["adminform"].form)
    kept = client.post(url, data)
    person.refresh_from_db()
    assert kept.status_code == 302
    assert person.mobile == "13700000004"

    client.post(url, {**data, "mobile": "13700000099"})
    person.refresh_from_db()
    assert person.mobile == "13700000099"


def test_a_household_search_by_name_does_not_confirm_who_else_lives_there(client, register):
    client.force_login(make_user("吴活动", role_list=[roles.EVENTS_STAFF]))
    url = reverse("admin:portal_household_changelist")

    # The registrant's child registered for nothing: their name must not find the household.
    assert _changelist_names(client, url, q="赵小宝") == set()
    assert _changelist_names(client, url, q=register.registrant.building) != set()


def test_canteen_staff_see_an_elder_s_birth_date_but_not_a_dining_child_s(client, register):
    from canteen.models import Booking
    from tests.canteen.helpers import make_menu

    Booking.objects.create(
        menu=make_menu(day=date(2026, 9, 2)), member=register.child, booked_by=register.parent
    )
    client.force_login(make_user("郑食堂", role_list=[roles.CANTEEN_STAFF]))

    listing = client.get(reverse("admin:portal_householdmember_changelist")).content.decode()
    child_page = client.get(
        reverse("admin:portal_householdmember_change", args=[register.child.pk])
    ).content.decode()
    elder_page = client.get(
        reverse("admin:portal_user_change", args=[register.elder.pk])
    ).content.decode()

    assert "张小明" in listing  # a diner now
    assert "2018" not in listing and "2018" not in child_page
    assert "1950" in listing and "1950" in elder_page
