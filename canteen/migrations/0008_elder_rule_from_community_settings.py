"""Before the community settings drop the elders' subsidy: keep its numbers as a rule if none.

The counter always charged by the subsidy rules, so an existing age rule stays as it is (it is
what was charged and claimed). Only a database with no age rule at all gets one made from the
settings' age and amount, so what staff typed there is not lost.
"""

import datetime

from django.db import migrations


def carry_over(apps, schema_editor):
    SubsidyRule = apps.get_model("canteen", "SubsidyRule")
    Community = apps.get_model("portal", "Community")
    community = Community.objects.filter(pk=1).first()
    if community is None or community.elder_subsidy <= 0:
        return
    if SubsidyRule.objects.filter(category="", min_age__isnull=False).exists():
        return
    SubsidyRule.objects.create(
        name="%s周岁以上老人就餐补贴" % community.elder_age,
        valid_from=datetime.date(2020, 1, 1),
        min_age=community.elder_age,
        amount=community.elder_subsidy,
        funder="government",
        stacks=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("canteen", "0007_meal_day_slot_index"),
        ("portal", "0003_user_language"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
