"""A delivery's volunteer post becomes a real foreign key (SET_NULL); the column keeps its name.

Ids pointing at no post (a post deleted while the link was a plain number) are cleared first,
or the new constraint would refuse them.
"""

import django.db.models.deletion
from django.db import migrations, models


def forget_missing_posts(apps, schema_editor):
    LoveMealDelivery = apps.get_model("canteen", "LoveMealDelivery")
    Post = apps.get_model("volunteers", "Post")
    LoveMealDelivery.objects.filter(volunteer_post_id__isnull=False).exclude(
        volunteer_post_id__in=Post.objects.values("pk")
    ).update(volunteer_post_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("canteen", "0014_english_names_allergen_codes"),
        ("volunteers", "0007_history_follows_star_levels"),
    ]

    operations = [
        migrations.RunPython(forget_missing_posts, migrations.RunPython.noop),
        # Name the column explicitly, so renaming the field leaves it in place ...
        migrations.AlterField(
            model_name="lovemealdelivery",
            name="volunteer_post_id",
            field=models.PositiveIntegerField(
                blank=True, db_column="volunteer_post_id", null=True, verbose_name="volunteer post"
            ),
        ),
        migrations.RenameField(
            model_name="lovemealdelivery", old_name="volunteer_post_id", new_name="volunteer_post"
        ),
        # ... and the foreign key's own column name is the same one.
        migrations.AlterField(
            model_name="lovemealdelivery",
            name="volunteer_post",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="love_meal_deliveries",
                to="volunteers.post",
                verbose_name="volunteer post",
            ),
        ),
    ]
