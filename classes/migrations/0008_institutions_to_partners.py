"""The classroom's partner institutions become partner organisations (portal.Partner), one list
for the whole portal: every Institution becomes a Partner of kind "education institution" with the
same id, so teachers, courses and the courses' history keep pointing at the same organisation.

Forwards: copy, repoint the foreign keys, drop classes_institution. Backwards: recreate the table,
copy the partners the classroom uses back (same ids) before the foreign keys point at it again.
"""

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models
from django.db.models import Q


EDUCATION = "education"
FIELDS = ["name", "about", "contact_name", "contact_phone", "is_active"]


def _reset_sequence(schema_editor, model):
    # Rows were written with their ids: PostgreSQL's sequence must move past them.
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def institutions_to_partners(apps, schema_editor):
    Institution = apps.get_model("classes", "Institution")
    Partner = apps.get_model("portal", "Partner")
    for inst in Institution.objects.order_by("pk"):
        values = {f: getattr(inst, f) for f in FIELDS}
        clash = Partner.objects.filter(name=inst.name).exclude(pk=inst.pk).first()
        if clash is not None:
            raise RuntimeError(
                f"partner organisation {inst.name!r} exists with id {clash.pk}, "
                f"but institution {inst.pk} must keep its id: rename one of them and migrate again"
            )
        # a partner with this id exists when the migration runs again after going back
        Partner.objects.update_or_create(pk=inst.pk, defaults={**values, "kind": EDUCATION})
    _reset_sequence(schema_editor, Partner)


def partners_to_institutions(apps, schema_editor):
    Institution = apps.get_model("classes", "Institution")
    Partner = apps.get_model("portal", "Partner")
    Teacher = apps.get_model("classes", "Teacher")
    Course = apps.get_model("classes", "Course")
    used = Partner.objects.filter(
        Q(kind=EDUCATION)
        | Q(pk__in=Teacher.objects.values("institution_id"))
        | Q(pk__in=Course.objects.values("institution_id"))
    )
    Institution.objects.bulk_create(
        [Institution(pk=p.pk, **{f: getattr(p, f) for f in FIELDS}) for p in used.order_by("pk")]
    )
    _reset_sequence(schema_editor, Institution)


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0007_merge_20261130_1738'),
        ('portal', '0013_partners'),
    ]

    operations = [
        migrations.RunPython(institutions_to_partners, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='historicalcourse',
            name='institution',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='portal.partner', verbose_name='partner institution'),
        ),
        migrations.AlterField(
            model_name='teacher',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='teachers', to='portal.partner', verbose_name='institution'),
        ),
        migrations.AlterField(
            model_name='course',
            name='institution',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='courses', to='portal.partner', verbose_name='partner institution'),
        ),
        # backwards, this runs after classes_institution is back and before the keys point at it
        migrations.RunPython(migrations.RunPython.noop, partners_to_institutions),
        migrations.DeleteModel(
            name='Institution',
        ),
    ]
