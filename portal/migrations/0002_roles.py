"""Create the role groups. Their permissions are synced after every migrate (portal.roles)."""

from django.db import migrations

ROLES = [
    "resident",
    "volunteer",
    "team_leader",
    "volunteer_coordinator",
    "events_staff",
    "canteen_staff",
    "classes_staff",
    "community_admin",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
