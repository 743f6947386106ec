"""The canteen's hand-written change records become rows of the change history (simple-history).

Each record of an object that still exists becomes a historical row of that object: who, when,
added or changed, its present values, and the record's old → new values as the change reason
(the old per-field values are not a full copy of the object, so they are kept as text).
Records of objects deleted since cannot be rebuilt as full rows and are left out.
"""

from django.db import migrations

MODELS = [
    "canteensettings",
    "collector",
    "dish",
    "lovemealrecipient",
    "mealslot",
    "menu",
    "residentcategory",
    "subsidyrule",
]
TYPES = {"add": "+", "change": "~", "delete": "-"}


def _reason(changes: dict) -> str:
    parts = []
    for name, values in (changes or {}).items():
        old, new = (list(values) + [None, None])[:2]
        parts.append(f"{name}: {old} → {new}")
    return "; ".join(parts)[:100]


def forwards(apps, schema_editor):
    ChangeRecord = apps.get_model("canteen", "ChangeRecord")
    for name in MODELS:
        model = apps.get_model("canteen", name)
        historical = apps.get_model("canteen", f"historical{name}")
        records = ChangeRecord.objects.filter(model=name).order_by("changed_at", "id")
        ids = {r.object_id for r in records}
        objects = {str(o.pk): o for o in model.objects.filter(pk__in=[i for i in ids if i.isdigit()])}
        rows = []
        for record in records:
            obj = objects.get(record.object_id)
            if obj is None:
                continue
            values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            values.pop("thumbnail", None)  # not tracked (derived from the photo)
            rows.append(
                historical(
                    **values,
                    history_date=record.changed_at,
                    history_type=TYPES.get(record.action, "~"),
                    history_user_id=record.changed_by_id,
                    history_change_reason=_reason(record.changes),
                )
            )
        historical.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("canteen", "0010_change_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
