"""Roles are Django groups. The groups are created by a data migration; their permissions are
synced after every `migrate` (permissions of later modules only exist once those migrate).

Each staff group may change only its own module's data in the admin; all staff may look up
residents (view only) so they can book, enrol or register someone who phones in, but only the
residents their work involves (`portal.people` narrows what the view permission shows).
"""

from django.contrib.auth.models import Group, Permission

RESIDENT = "resident"
VOLUNTEER = "volunteer"
TEAM_LEADER = "team_leader"
VOLUNTEER_COORDINATOR = "volunteer_coordinator"
EVENTS_STAFF = "events_staff"
CANTEEN_STAFF = "canteen_staff"
CLASSES_STAFF = "classes_staff"
COMMUNITY_ADMIN = "community_admin"

ALL_ROLES = [
    RESIDENT,
    VOLUNTEER,
    TEAM_LEADER,
    VOLUNTEER_COORDINATOR,
    EVENTS_STAFF,
    CANTEEN_STAFF,
    CLASSES_STAFF,
    COMMUNITY_ADMIN,
]

# Roles whose members log in to the admin.
ADMIN_ROLES = {
    TEAM_LEADER,
    VOLUNTEER_COORDINATOR,
    EVENTS_STAFF,
    CANTEEN_STAFF,
    CLASSES_STAFF,
    COMMUNITY_ADMIN,
}

# Every permission of these apps' models (add, change, delete, view).
APP_PERMISSIONS = {
    VOLUNTEER_COORDINATOR: ["volunteers"],
    EVENTS_STAFF: ["events"],
    CANTEEN_STAFF: ["canteen"],
    CLASSES_STAFF: ["classes"],
    COMMUNITY_ADMIN: ["portal"],
}

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
    CLASSES_STAFF: _LOOKUP,
    COMMUNITY_ADMIN: [],
}


def expected_permissions(role: str) -> set[str]:
    """The permissions a role should hold, as "app_label.codename" strings."""
    wanted = set(EXTRA_PERMISSIONS.get(role, []))
    apps = APP_PERMISSIONS.get(role, [])
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
    result = {}
    for role in ALL_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = expected_permissions(role)
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:  # a module not migrated yet gets its turn next time
                perms.append(perm)
        group.permissions.set(perms)
        result[role] = len(perms)
    return result


def grant_role(user, role: str) -> None:
    """Put the user in the role's group; staff roles also open the admin to them."""
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role!r}")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role in ADMIN_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def revoke_role(user, role: str) -> None:
    """Take the user out of the role's group; the admin closes when no staff role is left."""
    user.groups.remove(*Group.objects.filter(name=role))
    if user.is_staff and not user.is_superuser:
        if not user.groups.filter(name__in=ADMIN_ROLES).exists():
            user.is_staff = False
            user.save(update_fields=["is_staff"])
