"""Each subsidy line carries its record's accounting month (the settlement sums lines by it)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from canteen import services
from canteen.models import Funder, MealRecord, SubsidyLine
from tests.canteen.helpers import MEAL_DAY, at

MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)


def _record(menu, member, month=MAY):
    return MealRecord.objects.create(
        menu=menu,
        day=menu.day,
        slot=menu.slot,
        month=month,
        member=member,
        person_name=member.name,
        price=Decimal("14.00"),
        subsidy=Decimal("4.00"),
        paid=Decimal("10.00"),
    )


def _line(**kwargs):
    return SubsidyLine(rule_name="60+", funder=Funder.GOVERNMENT, amount=Decimal("4.00"), **kwargs)


def test_a_recorded_meal_and_its_late_correction_carry_their_own_months(
    canteen_staff, elder, menu, elder_rule, time_machine
):
    time_machine.move_to(at(MEAL_DAY, 8), tick=False)
    record = services.record_meal(menu, elder.member, by=canteen_staff)
    assert list(record.lines.values_list("month", flat=True)) == [MAY]

    time_machine.move_to(at(date(2026, 6, 3), 10), tick=False)
    services.close_month(MAY, by=canteen_staff)
    reversal = services.reverse_meal(record, reason="重复登记", by=canteen_staff)
    assert reversal.month == JUNE
    assert list(reversal.lines.values_list("month", flat=True)) == [JUNE]


def test_bulk_create_copies_the_month_from_loaded_or_unloaded_records(elder, menu):
    may, june = _record(menu, elder.member), _record(menu, elder.member, month=JUNE)
    with_record, with_id_only = _line(record=may), _line(record_id=june.pk)
    SubsidyLine.objects.bulk_create([with_record, with_id_only])
    assert (with_record.month, with_id_only.month) == (MAY, JUNE)
    assert sorted(SubsidyLine.objects.values_list("month", flat=True)) == [MAY, JUNE]


def test_save_copies_the_month_from_the_record(elder, menu):
    record = _record(menu, elder.member)
    line = _line(record_id=record.pk)
    line.save()
    line.refresh_from_db()
    assert line.month == MAY


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_month_of_existing_lines_and_reverses(elder, menu):
    record = _record(menu, elder.member, month=JUNE)
    SubsidyLine.objects.bulk_create([_line(record=record)])
    executor = MigrationExecutor(connection)
    before = [("canteen", "0005_love_meal_funder")]
    after = [("canteen", "0006_subsidyline_month")]
    try:
        executor.migrate(before)  # the column is dropped with its values
        executor.loader.build_graph()
        old_line = executor.loader.project_state(before).apps.get_model("canteen", "SubsidyLine")
        assert not any(f.name == "month" for f in old_line._meta.get_fields())
        old_line.objects.create(
            record_id=record.pk, rule_name="60+", funder="government", amount=Decimal("4.00")
        )
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(SubsidyLine.objects.values_list("month", flat=True)) == [JUNE, JUNE]
