"""The permission matrix: what each role's group can and cannot reach in the admin."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MODULE_APPS = ["portal", "volunteers", "events", "canteen", "classes", "fund", "alliance"]
ROLE_APPS = {role: set(apps) for role, apps in roles.app_permissions().items()}
LOOKUP = {"portal.view_user", "portal.view_household", "portal.view_householdmember"}


def perms_of_app(app_label):
    return {
        f"{app_label}.{codename}"
        for codename in Permission.objects.filter(content_type__app_label=app_label).values_list(
            "codename", flat=True
        )
    }


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_each_role_holds_exactly_its_own_modules_permissions(role):
    user = make_user(role_list=[role])
    held = user.get_all_permissions()

    for app in MODULE_APPS:
        app_perms = perms_of_app(app)
        if app in ROLE_APPS.get(role, set()):
            assert app_perms <= held, f"{role} should hold every {app} permission"
        else:
            extra = set(roles.EXTRA_PERMISSIONS.get(role, []))
            assert app_perms & held <= extra, f"{role} must not hold {app} permissions"


@pytest.mark.parametrize("role", [r for r in roles.ALL_ROLES if r in roles.ADMIN_ROLES])
def test_staff_roles_open_the_admin_and_residents_do_not(role):
    staff = make_user(role_list=[role])
    assert staff.is_staff
    resident = make_user(role_list=[roles.RESIDENT, roles.VOLUNTEER])
    assert not resident.is_staff


def test_module_staff_can_look_up_residents_but_not_change_them():
    for role in [
        roles.VOLUNTEER_COORDINATOR,
        roles.EVENTS_STAFF,
        roles.CANTEEN_STAFF,
        roles.CLASSES_STAFF,
        roles.ALLIANCE_STAFF,
    ]:
        staff = make_user(role_list=[role])
        assert LOOKUP <= staff.get_all_permissions()
        assert not staff.has_perm("portal.change_user")
        assert not staff.has_perm("portal.change_community")


def _admin_changelists():
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        yield (
            meta.app_label,
            f"{meta.app_label}.view_{meta.model_name}",
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        )


@pytest.mark.parametrize(
    "role",
    [
        roles.VOLUNTEER_COORDINATOR,
        roles.EVENTS_STAFF,
        roles.CANTEEN_STAFF,
        roles.CLASSES_STAFF,
        roles.ALLIANCE_STAFF,
        roles.COMMUNITY_ADMIN,
    ],
)
def test_each_staff_group_reaches_only_its_modules_admin_pages(client, role):
    staff = make_user(role_list=[role])
    client.force_login(staff)
    own = ROLE_APPS[role]

    extra = set(roles.EXTRA_PERMISSIONS.get(role, []))
    for app_label, view_perm, url in _admin_changelists():
        response = client.get(url)
        if app_label in own:
            assert response.status_code in (200, 302), f"{role} should open {url}"
        elif app_label == "portal" and url.endswith(("/user/", "/household/", "/householdmember/")):
            assert response.status_code == 200, f"{role} may look residents up at {url}"
        elif view_perm in extra:  # a single model of another app (partner organisations)
            assert response.status_code == 200, f"{role} may open {url}"
        else:
            assert response.status_code == 403, f"{role} must not open {url}"


def test_a_resident_cannot_open_the_admin(client, resident):
    client.force_login(resident)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert client.get(reverse("admin:portal_announcement_changelist")).status_code == 302
    assert client.get(response.url).status_code == 200  # Django's "not authorised" page


def test_revoking_the_last_staff_role_closes_the_admin():
    staff = make_user(role_list=[roles.CANTEEN_STAFF])
    roles.revoke_role(staff, roles.CANTEEN_STAFF)
    staff.refresh_from_db()
    assert not staff.is_staff


def test_syncing_roles_twice_changes_nothing():
    first = roles.sync_role_permissions()
    assert roles.sync_role_permissions() == first


def test_a_migrate_or_flush_syncs_the_groups_once_after_every_apps_permissions(monkeypatch):
    """post_migrate goes to each app in turn: the groups are synced (and the cache made stale)
    once, after the last app's, and the last app's permissions are in them."""
    from django.contrib.auth.models import Group
    from django.core.management.sql import emit_post_migrate_signal

    from portal import cache

    last = [c for c in apps.get_app_configs() if c.models_module][-1].label
    Permission.objects.filter(content_type__app_label=last).delete()  # as after a flush
    syncs, bumps = [], []
    sync = roles.sync_role_permissions
    monkeypatch.setattr(roles, "sync_role_permissions", lambda: syncs.append(sync()))
    monkeypatch.setattr(cache, "changed", lambda *names, **kw: bumps.append(names))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert len(syncs) == 1 and bumps.count(cache.NAMESPACES) == 1
    alliance_staff = Group.objects.get(name=roles.ALLIANCE_STAFF)
    held = {
        f"{app_label}.{codename}"
        for app_label, codename in alliance_staff.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert perms_of_app("alliance") and perms_of_app("alliance") <= held
    assert held == roles.expected_permissions(roles.ALLIANCE_STAFF)


def test_a_team_leader_reaches_the_volunteers_admin_but_not_the_ledger_edit(client, team_leader):
    client.force_login(team_leader)
    assert client.get(reverse("admin:volunteers_post_changelist")).status_code == 200
    assert client.get(reverse("admin:volunteers_hoursentry_changelist")).status_code == 200
    assert not team_leader.has_perm("volunteers.change_hoursentry")
    assert not team_leader.has_perm("volunteers.delete_team")
    assert client.get(reverse("admin:canteen_menu_changelist")).status_code == 403
