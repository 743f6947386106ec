"""Copy the events' notices into the one inbox (portal.Notice), read state and times kept."""

from django.db import migrations


def copy_notices(apps, schema_editor):
    Old = apps.get_model("events", "Notice")
    New = apps.get_model("portal", "Notice")
    batch = []
    for old in Old.objects.order_by("pk").iterator(chunk_size=2000):
        batch.append(
            New(
                recipient_id=old.user_id,
                kind="other",
                text=old.text,
                url=old.url,
                created_at=old.created_at,
                read_at=old.read_at,
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_booking_reminded_at"),
        ("portal", "0004_notices_and_preferences"),
    ]

    operations = [migrations.RunPython(copy_notices, migrations.RunPython.noop)]
