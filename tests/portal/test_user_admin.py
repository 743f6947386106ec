"""Who may grant roles and privileges, and change whose password, in the user admin."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from portal import roles
from portal.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

PRIVILEGE_INPUTS = ("is_staff", "is_superuser", "groups", "user_permissions")
STAFF_ROLES = ["team_leader", "coordinator", "events_staff", "canteen_staff", "classes_staff"]
NEW_PASSWORD = "Brand-new-Pass-2026!"


@pytest.fixture
def superuser(db):
    user = make_user("超级管理员", role_list=[])
    user.is_superuser = True
    user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    return user


def change_url(user):
    return reverse("admin:portal_user_change", args=[user.pk])


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def inputs_named(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)\b[^>]*?\sname="([^"]+)"', html))


def change_data(user, **overrides):
    """What the change form posts for `user`, with the privileges a tamperer adds."""
    data = {
        "username": user.username,
        "real_name": user.real_name,
        "mobile": user.mobile or "",
        "email": user.email,
        "birth_date": user.birth_date.isoformat() if user.birth_date else "",
        "building": user.building,
        "unit": user.unit,
        "room": user.room,
        "household": user.household_id or "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def tampered(user, group, permission, **overrides):
    return change_data(
        user,
        is_staff="on",
        is_superuser="on",
        groups=[group.pk],
        user_permissions=[permission.pk],
        **overrides,
    )


@pytest.fixture
def admin_group():
    return Group.objects.get(name=roles.COMMUNITY_ADMIN)


@pytest.fixture
def any_permission():
    return Permission.objects.get(codename="change_user", content_type__app_label="portal")


def assert_unprivileged(user):
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.user_permissions.exists()
    assert list(user.groups.values_list("name", flat=True)) == [roles.RESIDENT]


# --- staff roles other than the community admin: look up residents at most ---------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_roles_see_a_resident_read_only_or_not_at_all(client, request, role, resident):
    client.force_login(request.getfixturevalue(role))

    response = client.get(change_url(resident))

    # Refused outright, sent away (a resident outside their work), or shown with no input.
    assert response.status_code in {200, 302, 403, 404}
    if response.status_code == 200:
        assert not inputs_named(response.content.decode()) & {*PRIVILEGE_INPUTS, "real_name"}


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_roles_cannot_post_privileges_to_anyone(
    client, request, role, resident, admin_group, any_permission
):
    staff = request.getfixturevalue(role)
    client.force_login(staff)

    for target in (resident, staff):
        response = client.post(change_url(target), tampered(target, admin_group, any_permission))
        assert response.status_code in {302, 403, 404}  # never saved: checked below

    assert_unprivileged(resident)
    staff.refresh_from_db()
    assert not staff.is_superuser
    assert not staff.groups.filter(name=roles.COMMUNITY_ADMIN).exists()


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_roles_cannot_set_passwords_or_add_users(client, request, role, resident):
    client.force_login(request.getfixturevalue(role))

    assert client.get(password_url(resident)).status_code == 403
    response = client.post(
        password_url(resident), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
    assert client.get(reverse("admin:portal_user_add")).status_code == 403
    added = client.post(
        reverse("admin:portal_user_add"),
        {
            "username": "sneaky",
            "mobile": "13700000002",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert added.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


# --- the community admin: manages residents, grants nothing ----------------------------------


def test_community_admin_sees_no_privilege_inputs_on_a_residents_form(
    client, community_admin, resident
):
    client.force_login(community_admin)

    response = client.get(change_url(resident))

    assert response.status_code == 200
    names = inputs_named(response.content.decode())
    assert {"real_name", "mobile", "is_active"} <= names
    assert not names & set(PRIVILEGE_INPUTS)


def test_community_admin_edits_a_resident_but_a_tampered_post_grants_nothing(
    client, community_admin, resident, admin_group, any_permission
):
    client.force_login(community_admin)

    response = client.post(
        change_url(resident),
        tampered(resident, admin_group, any_permission, real_name="王居民（改）"),
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.real_name == "王居民（改）"
    assert_unprivileged(resident)


def test_community_admin_cannot_grant_themselves_anything(
    client, community_admin, admin_group, any_permission
):
    client.force_login(community_admin)

    response = client.post(
        change_url(community_admin), tampered(community_admin, admin_group, any_permission)
    )

    assert response.status_code == 403
    community_admin.refresh_from_db()
    assert not community_admin.is_superuser
    assert not community_admin.user_permissions.exists()


@pytest.mark.parametrize("target", ["superuser", "canteen_staff", "coordinator"])
def test_community_admin_sees_staff_accounts_read_only(client, request, community_admin, target):
    other = request.getfixturevalue(target)
    client.force_login(community_admin)

    response = client.get(change_url(other))

    assert response.status_code == 200
    assert not inputs_named(response.content.decode()) & {
        "real_name",
        "email",
        "mobile",
        "is_active",
    }


@pytest.mark.parametrize("target", ["superuser", "canteen_staff"])
def test_community_admin_cannot_change_a_staff_account_by_post(
    client, request, community_admin, target, admin_group, any_permission
):
    other = request.getfixturevalue(target)
    was_superuser = other.is_superuser
    client.force_login(community_admin)

    response = client.post(
        change_url(other),
        tampered(other, admin_group, any_permission, email="attacker@example.com"),
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.email == ""
    assert other.is_superuser == was_superuser
    assert not other.groups.filter(name=roles.COMMUNITY_ADMIN).exists()


@pytest.mark.parametrize("target", ["superuser", "canteen_staff"])
def test_community_admin_cannot_set_a_staff_members_password(
    client, request, community_admin, target
):
    other = request.getfixturevalue(target)
    client.force_login(community_admin)

    assert client.get(password_url(other)).status_code == 403
    response = client.post(
        password_url(other),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set_usable_password": "true"},
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.check_password(PASSWORD)


def test_a_staff_role_holder_not_yet_marked_staff_is_protected_too(client, community_admin):
    # Someone put in a staff group another way than grant_role (is_staff not set yet).
    holder = make_user("新职员", role_list=[])
    holder.groups.add(Group.objects.get(name=roles.CANTEEN_STAFF))
    client.force_login(community_admin)

    response = client.post(
        password_url(holder), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 403
    holder.refresh_from_db()
    assert holder.check_password(PASSWORD)


def test_community_admin_sets_a_residents_password_at_the_office(client, community_admin, resident):
    client.force_login(community_admin)

    response = client.post(
        password_url(resident),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set_usable_password": "true"},
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)


def test_community_admin_adds_an_account_without_privileges_even_when_posted(
    client, community_admin, admin_group, any_permission
):
    client.force_login(community_admin)
    html = client.get(reverse("admin:portal_user_add")).content.decode()
    assert not inputs_named(html) & set(PRIVILEGE_INPUTS)

    response = client.post(
        reverse("admin:portal_user_add"),
        {
            "username": "newcomer",
            "real_name": "新来的",
            "mobile": "13700000001",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [admin_group.pk],
            "user_permissions": [any_permission.pk],
        },
    )

    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_staff
    assert not newcomer.is_superuser
    assert not newcomer.groups.exists()
    assert not newcomer.user_permissions.exists()


def test_community_admin_cannot_delete_a_superuser_alone_or_in_bulk(
    client, community_admin, superuser, resident
):
    client.force_login(community_admin)
    bulk = {"action": "delete_selected", "_selected_action": [superuser.pk, resident.pk]}

    confirmation = client.post(reverse("admin:portal_user_changelist"), bulk)
    confirmed = client.post(reverse("admin:portal_user_changelist"), {**bulk, "post": "yes"})
    alone = client.post(reverse("admin:portal_user_delete", args=[superuser.pk]), {"post": "yes"})

    assert confirmation.status_code == 200
    assert confirmation.context["perms_lacking"]
    assert confirmed.status_code == 403
    assert alone.status_code == 403
    assert User.objects.filter(pk__in=[superuser.pk, resident.pk]).count() == 2


# --- the superuser: grants roles and privileges ------------------------------------------------


def test_superuser_sees_and_sets_every_privilege(
    client, superuser, resident, admin_group, any_permission
):
    client.force_login(superuser)
    names = inputs_named(client.get(change_url(resident)).content.decode())
    assert set(PRIVILEGE_INPUTS) <= names

    response = client.post(change_url(resident), tampered(resident, admin_group, any_permission))

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_staff
    assert resident.is_superuser
    assert resident.groups.filter(name=roles.COMMUNITY_ADMIN).exists()
    assert resident.user_permissions.filter(pk=any_permission.pk).exists()


def test_superuser_sets_a_staff_members_password(client, superuser, canteen_staff):
    client.force_login(superuser)

    response = client.post(
        password_url(canteen_staff),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set_usable_password": "true"},
    )

    assert response.status_code == 302
    canteen_staff.refresh_from_db()
    assert canteen_staff.check_password(NEW_PASSWORD)


@pytest.mark.parametrize("role", ["resident", "volunteer", "outsider"])
def test_people_without_a_staff_role_never_reach_the_user_admin(
    client, request, role, admin_group, any_permission
):
    person = request.getfixturevalue(role)
    client.force_login(person)

    for url in (change_url(person), password_url(person), reverse("admin:portal_user_add")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url
    client.post(change_url(person), tampered(person, admin_group, any_permission))
    client.post(password_url(person), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    person.refresh_from_db()
    assert not person.is_staff and not person.is_superuser
    assert not person.groups.filter(name=roles.COMMUNITY_ADMIN).exists()
    assert person.check_password(PASSWORD)
