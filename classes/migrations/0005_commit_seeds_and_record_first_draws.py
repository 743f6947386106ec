"""Lottery courses not drawn yet commit to a seed now; courses drawn already get their draw
recorded as draw 1 (with no commitment: none was published before them)."""

import hashlib
import secrets

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Course = apps.get_model("classes", "Course")
    LotteryDraw = apps.get_model("classes", "LotteryDraw")
    moment = timezone.now()
    for course in Course.objects.filter(mode="lottery", lottery_drawn_at__isnull=True):
        if course.lottery_commitment:
            continue
        course.lottery_seed = course.lottery_seed or secrets.token_hex(16)
        course.lottery_commitment = hashlib.sha256(course.lottery_seed.encode()).hexdigest()
        course.lottery_committed_at = moment
        course.save(update_fields=["lottery_seed", "lottery_commitment", "lottery_committed_at"])
    drawn = Course.objects.filter(lottery_drawn_at__isnull=False).exclude(draws__isnull=False)
    LotteryDraw.objects.bulk_create(
        LotteryDraw(
            course=course,
            number=1,
            seed=course.lottery_seed,
            result=course.lottery_result,
            drawn_at=course.lottery_drawn_at,
        )
        for course in drawn
    )


class Migration(migrations.Migration):
    dependencies = [("classes", "0004_lottery_commitments_and_draws")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
