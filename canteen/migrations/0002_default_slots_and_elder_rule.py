"""Seed the canteen's defaults: lunch and dinner, and the 60+ subsidy rule.

The elder age and amount come from the community's settings row when it exists (else the
documented defaults: 60 and 4.00 yuan), so another community starts from its own numbers.
"""

import datetime
from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    MealSlot = apps.get_model("canteen", "MealSlot")
    SubsidyRule = apps.get_model("canteen", "SubsidyRule")
    Community = apps.get_model("portal", "Community")
    if not MealSlot.objects.exists():
        MealSlot.objects.create(
            name="午餐", order=1, serves_at=datetime.time(11, 30),
            booking_cutoff=datetime.time(9, 0),
        )
        MealSlot.objects.create(
            name="晚餐", order=2, serves_at=datetime.time(17, 30),
            booking_cutoff=datetime.time(15, 0),
        )
    if not SubsidyRule.objects.exists():
        community = Community.objects.filter(pk=1).first()
        age = community.elder_age if community else 60
        amount = community.elder_subsidy if community else Decimal("4.00")
        SubsidyRule.objects.create(
            name="%s周岁以上老人就餐补贴" % age,
            valid_from=datetime.date(2020, 1, 1),
            min_age=age,
            amount=amount,
            funder="government",
            stacks=False,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("canteen", "0001_initial"),
        ("portal", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
