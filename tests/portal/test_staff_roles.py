"""Giving a staff role is enough: the group makes the account staff, from either side.

A new member of staff put in their module's group also needed "staff status" ticked (nowhere
said), the admin's mobile field cut "139 0000 1234" at 11 characters, and the role and
permission names showed as raw English codes.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from portal import roles
from portal.admin import permission_label
from portal.models import User
from tests.factories import make_user

STAFF_ROLES = sorted(roles.ADMIN_ROLES)


def group(role):
    return Group.objects.get_or_create(name=role)[0]


@pytest.fixture
def superuser(db):
    user = make_user("超级管理员", role_list=[])
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    user.refresh_from_db()
    return user


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_adding_a_user_to_a_staff_group_makes_them_staff(db, role):
    user = make_user(role_list=[roles.RESIDENT])
    assert not user.is_staff
    user.groups.add(group(role))
    user.refresh_from_db()
    assert user.is_staff


def test_adding_members_from_the_groups_side_makes_them_staff(db):
    a, b = make_user(role_list=[]), make_user(role_list=[])
    group(roles.CANTEEN_STAFF).user_set.add(a, b)
    assert set(User.objects.filter(is_staff=True).values_list("pk", flat=True)) >= {a.pk, b.pk}


def test_a_resident_group_does_not_make_anyone_staff(db):
    user = make_user(role_list=[])
    user.groups.add(group(roles.RESIDENT), group(roles.VOLUNTEER))
    user.refresh_from_db()
    assert not user.is_staff


def test_taking_the_last_staff_group_away_removes_staff_status(db):
    user = make_user(role_list=[roles.RESIDENT, roles.EVENTS_STAFF, roles.CANTEEN_STAFF])
    user.groups.remove(group(roles.EVENTS_STAFF))
    user.refresh_from_db()
    assert user.is_staff  # still canteen staff
    user.groups.remove(group(roles.CANTEEN_STAFF))
    user.refresh_from_db()
    assert not user.is_staff


@pytest.mark.parametrize(
    "take_away",
    [
        lambda user, g: user.groups.clear(),
        lambda user, g: user.groups.set([group(roles.RESIDENT)]),
        lambda user, g: g.user_set.remove(user),
        lambda user, g: g.user_set.clear(),
        lambda user, g: g.delete(),
    ],
    ids=["user-clear", "user-set", "group-remove", "group-clear", "group-deleted"],
)
def test_every_way_of_leaving_the_group_removes_staff_status(db, take_away):
    user = make_user(role_list=[roles.CLASSES_STAFF])
    assert user.is_staff
    take_away(user, group(roles.CLASSES_STAFF))
    user.refresh_from_db()
    assert not user.is_staff


def test_a_superuser_keeps_staff_status_without_any_group(superuser):
    superuser.groups.add(group(roles.CANTEEN_STAFF))
    superuser.groups.clear()
    superuser.refresh_from_db()
    assert superuser.is_staff and superuser.is_superuser


def test_putting_someone_in_a_group_in_the_admin_opens_the_admin_to_them(client, superuser):
    new = make_user("新同事", role_list=[roles.RESIDENT])
    client.force_login(superuser)
    page = client.get(reverse("admin:portal_user_change", args=[new.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        groups=[group(roles.RESIDENT).pk, group(roles.CANTEEN_STAFF).pk],
        user_permissions=[],
        mobile="139 0000 1234",
        is_staff="",  # the box left unticked: the group is enough
        is_active="on",
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(reverse("admin:portal_user_change", args=[new.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    new.refresh_from_db()
    assert new.is_staff and new.mobile == "13900001234"

    client.force_login(new)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("139 0000 1234", "13900001234"),
        ("+86 139-0000-1234", "13900001234"),
        ("0086 13900001234", "13900001234"),
        ("139-0000-1234", "13900001234"),
    ],
    ids=["spaces", "plus-86-dashes", "0086", "dashes"],
)
def test_the_admins_mobile_field_accepts_what_sign_up_accepts(admin_user_form, typed, stored):
    form = admin_user_form(typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["mobile"] == stored


def test_the_admins_mobile_field_refuses_a_number_that_is_not_mainland(admin_user_form):
    form = admin_user_form("12345")
    assert not form.is_valid() and "mobile" in form.errors


@pytest.fixture
def admin_user_form(rf, superuser):
    from django.contrib import admin

    model_admin = admin.site._registry[User]
    user = make_user("改号码", role_list=[])

    def build(mobile):
        request = rf.get("/")
        request.user = superuser
        form_class = model_admin.get_form(request, user, change=True)
        field = form_class.base_fields["mobile"]
        return _FieldForm(field, mobile)

    return build


class _FieldForm:
    """Just the one field, cleaned as the admin form would."""

    def __init__(self, field, value):
        self.field, self.value, self.errors, self.cleaned_data = field, value, {}, {}

    def is_valid(self):
        from django.core.exceptions import ValidationError

        try:
            self.cleaned_data["mobile"] = self.field.clean(self.value)
        except ValidationError as e:
            self.errors["mobile"] = e.messages
        return not self.errors


def test_the_admin_finds_an_account_by_a_mobile_typed_with_spaces(client, superuser):
    user = make_user("找号码", mobile="13712345678", role_list=[])
    client.force_login(superuser)
    response = client.get(reverse("admin:portal_user_changelist"), {"q": "137 1234 5678"})
    assert list(response.context["cl"].result_list) == [user]


def test_the_admin_login_is_the_portals_login_with_next(client):
    response = client.get("/admin/login/?next=/admin/canteen/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=%2Fadmin%2Fcanteen%2F" in response["Location"]
    unauthenticated = client.get("/admin/")
    assert unauthenticated.status_code == 302
    follow = client.get(unauthenticated["Location"])
    assert follow["Location"].startswith(reverse("account_login"))


def test_role_groups_show_translated_in_the_admin(client, superuser):
    make_user("食堂新人", role_list=[roles.CANTEEN_STAFF])
    client.force_login(superuser)
    groups = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "食堂工作人员" in groups and "社区管理员" in groups
    user_page = client.get(reverse("admin:portal_user_change", args=[superuser.pk]))
    html = user_page.content.decode()
    assert "食堂工作人员" in html
    assert ">canteen_staff<" not in html
    users = client.get(reverse("admin:portal_user_changelist")).content.decode()
    assert "志愿者协调员" in users  # the filter by role


def test_permission_names_show_translated(db):
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="add_subsidyrule")
    with translation.override("zh-hans"):
        label = permission_label(perm)
    assert label.endswith("食堂 | 可添加补贴规则")
    with translation.override("en"):
        assert permission_label(perm) == "Canteen | Can add subsidy rule"


def test_the_groups_page_lists_permissions_translated(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:auth_group_change", args=[group(roles.CANTEEN_STAFF).pk]))
    assert "可添加补贴规则" in response.content.decode()
