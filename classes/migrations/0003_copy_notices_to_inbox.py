"""Copy the classes' notices to parents into the one inbox (portal.Notice).

Each goes to the parent who enrolled the child, else (that account was removed) the household's
first account holder, as `classes.services.parent_to_tell` chooses; a notice of a household
with no account left is read by nobody and is not copied. The old notices had no read state:
they arrive unread. They link to the course.
"""

from django.db import migrations
from django.urls import NoReverseMatch, reverse

KINDS = {
    "promoted": "promoted",
    "lottery_won": "lottery",
    "lottery_waiting": "lottery",
    "cancelled": "cancelled",
    "moved": "time_changed",
}


def _course_url(course_id):
    try:
        return reverse("classes:course", args=[course_id])
    except NoReverseMatch:
        return ""


def copy_notices(apps, schema_editor):
    Old = apps.get_model("classes", "Notice")
    New = apps.get_model("portal", "Notice")
    HouseholdMember = apps.get_model("portal", "HouseholdMember")
    holders = {}  # household: its first active account holder, else its first account holder
    members = HouseholdMember.objects.filter(user__isnull=False).select_related("user")
    for member in sorted(members, key=lambda m: (not m.user.is_active, m.created_at, m.pk)):
        holders.setdefault(member.household_id, member.user_id)
    batch = []
    notices = Old.objects.select_related("enrolment__child").order_by("pk")
    for old in notices.iterator(chunk_size=2000):
        enrolment = old.enrolment
        recipient = enrolment.enrolled_by_id or holders.get(enrolment.child.household_id)
        if recipient is None:
            continue
        batch.append(
            New(
                recipient_id=recipient,
                kind=KINDS.get(old.kind, "other"),
                text=old.text,
                url=_course_url(enrolment.course_id),
                created_at=old.created_at,
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0002_fees_to_the_fund"),
        ("portal", "0004_notices_and_preferences"),
    ]

    operations = [migrations.RunPython(copy_notices, migrations.RunPython.noop)]
