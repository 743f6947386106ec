"""Roles are Django groups. The groups are created by a data migration; their permissions are
synced after every `migrate` (permissions of later modules only exist once those migrate).

Each staff group may change only its own module's data in the admin; all staff may look up
residents (view only) so they can book, enrol or register someone who phones in, but only the
residents their work involves (`portal.people` narrows what the view permission shows).
"""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import pgettext_lazy

from portal import modules

RESIDENT = "resident"
VOLUNTEER = "volunteer"
TEAM_LEADER = "team_leader"
VOLUNTEER_COORDINATOR = "volunteer_coordinator"
EVENTS_STAFF = "events_staff"
CANTEEN_STAFF = "canteen_staff"
CLASSES_STAFF = "classes_staff"
ALLIANCE_STAFF = "alliance_staff"
COMMUNITY_ADMIN = "community_admin"

ALL_ROLES = [
    RESIDENT,
    VOLUNTEER,
    TEAM_LEADER,
    VOLUNTEER_COORDINATOR,
    EVENTS_STAFF,
    CANTEEN_STAFF,
    CLASSES_STAFF,
    ALLIANCE_STAFF,
    COMMUNITY_ADMIN,
]

# What staff read in the admin for each group (the group names are internal codes).
ROLE_LABELS = {
    RESIDENT: pgettext_lazy("role", "Resident"),
    VOLUNTEER: pgettext_lazy("role", "Volunteer"),
    TEAM_LEADER: pgettext_lazy("role", "Team leader"),
    VOLUNTEER_COORDINATOR: pgettext_lazy("role", "Volunteer coordinator"),
    EVENTS_STAFF: pgettext_lazy("role", "Events staff"),
    CANTEEN_STAFF: pgettext_lazy("role", "Canteen staff"),
    CLASSES_STAFF: pgettext_lazy("role", "Classes staff"),
    ALLIANCE_STAFF: pgettext_lazy("role", "Alliance staff"),
    COMMUNITY_ADMIN: pgettext_lazy("role", "Community administrator"),
}

# Roles whose members log in to the admin.
ADMIN_ROLES = {
    TEAM_LEADER,
    VOLUNTEER_COORDINATOR,
    EVENTS_STAFF,
    CANTEEN_STAFF,
    CLASSES_STAFF,
    ALLIANCE_STAFF,
    COMMUNITY_ADMIN,
}


def app_permissions() -> dict[str, list[str]]:
    """The apps each role holds every permission of (add, change, delete, view): the community
    administrator the shared layer's, each module's `staff_role` the module's (portal.modules)."""
    result = {COMMUNITY_ADMIN: ["portal"]}
    for module in modules.modules():
        result.setdefault(module.staff_role, []).append(module.label)
    return result


_LOOKUP = ["portal.view_user", "portal.view_household", "portal.view_householdmember"]

# Single permissions, as "app_label.codename". Modules extend their roles' entries here.
EXTRA_PERMISSIONS = {
    # Leaders work on their own team in the admin; volunteers.admin scopes every queryset.
    TEAM_LEADER: [
        "volunteers.view_team",
        "volunteers.change_team",
        "volunteers.view_membership",
        "volunteers.change_membership",
        "volunteers.view_posttemplate",
        "volunteers.change_posttemplate",
        "volunteers.view_post",
        "volunteers.add_post",
        "volunteers.change_post",
        "volunteers.view_signup",
        "volunteers.view_hoursentry",
        "volunteers.view_correctionrequest",
        "volunteers.view_volunteerprofile",
    ],
    VOLUNTEER_COORDINATOR: _LOOKUP,
    EVENTS_STAFF: _LOOKUP,
    CANTEEN_STAFF: _LOOKUP,
    # The classroom's partner institutions are partner organisations (portal.Partner).
    CLASSES_STAFF: [
        *_LOOKUP,
        "portal.view_partner",
        "portal.add_partner",
        "portal.change_partner",
    ],
    # The alliance keeps the partner organisations and their registered party members.
    ALLIANCE_STAFF: [
        *_LOOKUP,
        "portal.view_partner",
        "portal.add_partner",
        "portal.change_partner",
        "portal.view_partnermember",
        "portal.add_partnermember",
        "portal.change_partnermember",
    ],
    COMMUNITY_ADMIN: [],
}


def expected_permissions(role: str) -> set[str]:
    """The permissions a role should hold, as "app_label.codename" strings."""
    wanted = set(EXTRA_PERMISSIONS.get(role, []))
    apps = app_permissions().get(role, [])
    if apps:
        for app_label, codename in Permission.objects.filter(
            content_type__app_label__in=apps
        ).values_list("content_type__app_label", "codename"):
            wanted.add(f"{app_label}.{codename}")
    return wanted


def sync_role_permissions() -> dict[str, int]:
    """Give each role's group exactly its expected permissions. Safe to run any number of times.

    Returns how many permissions each group holds afterwards.
    """
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    result = {}
    for role in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        # a module not migrated yet gets its turn next time
        perms = [known[dotted] for dotted in sorted(expected_permissions(role)) if dotted in known]
        group.permissions.set(perms)
        result[role] = len(perms)
    return result


def role_label(name: str) -> str:
    """The translated name of a role group (other groups keep their own name)."""
    return str(ROLE_LABELS.get(name, name))


def grant_role(user, role: str) -> None:
    """Put the user in the role's group; a staff role opens the admin (`sync_staff_status`)."""
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role!r}")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role in ADMIN_ROLES:
        user.refresh_from_db(fields=["is_staff"])


def revoke_role(user, role: str) -> None:
    """Take the user out of the role's group; the admin closes when no staff role is left."""
    user.groups.remove(*Group.objects.filter(name=role))
    user.refresh_from_db(fields=["is_staff"])


def sync_staff_status(user_ids) -> int:
    """Make `is_staff` follow the staff role groups for these accounts; returns how many changed.

    Run whenever group membership changes, from either side (the user's groups in the admin, a
    group's members, `grant_role`): being in a staff role is what opens the admin, so nobody has
    to tick "staff status" as well, and taking the last staff role away closes it. Superusers
    are left as they are.
    """
    from portal.models import User

    in_staff_role = User.objects.filter(groups__name__in=ADMIN_ROLES).values("pk")
    changed = 0
    users = User.objects.filter(pk__in=list(user_ids), is_superuser=False)
    for user in users.filter(is_staff=False, pk__in=in_staff_role):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        changed += 1
    for user in users.filter(is_staff=True).exclude(pk__in=in_staff_role):
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        changed += 1
    return changed


def _user_ids(instance, reverse: bool, pk_set) -> list:
    if not reverse:  # user.groups.…: the user is the instance
        return [instance.pk]
    if pk_set is not None:  # group.user_set.add/remove(…)
        return list(pk_set)
    return list(getattr(instance, "_members_before_clear", []))  # group.user_set.clear()


def on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed receiver on User.groups (connected in PortalConfig.ready)."""
    if action == "pre_clear" and reverse:
        instance._members_before_clear = list(instance.user_set.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        sync_staff_status(_user_ids(instance, reverse, pk_set))


def on_group_deleting(sender, instance, **kwargs):
    """pre_delete of a Group: its members lose it without an m2m signal."""
    instance._members_before_clear = list(instance.user_set.values_list("pk", flat=True))


def on_group_deleted(sender, instance, **kwargs):
    sync_staff_status(getattr(instance, "_members_before_clear", []))
