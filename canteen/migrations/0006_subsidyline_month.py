"""Copy the accounting month onto each subsidy line, so the settlement needs no join to sum them.

Added nullable, filled from the lines' records in one UPDATE ... FROM (PostgreSQL and SQLite
3.33+), then made required and indexed. Reversible: going back drops the column.
"""

from django.db import migrations, models

FILL = """
UPDATE canteen_subsidyline
SET month = canteen_mealrecord.month
FROM canteen_mealrecord
WHERE canteen_mealrecord.id = canteen_subsidyline.record_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("canteen", "0005_love_meal_funder"),
    ]

    operations = [
        migrations.AddField(
            model_name="subsidyline",
            name="month",
            field=models.DateField(editable=False, null=True, verbose_name="accounting month"),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="subsidyline",
            name="month",
            field=models.DateField(editable=False, verbose_name="accounting month"),
        ),
        migrations.AddIndex(
            model_name="subsidyline",
            index=models.Index(fields=["month", "funder"], name="canteen_line_month"),
        ),
    ]
