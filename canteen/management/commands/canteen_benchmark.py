"""Time the monthly settlement on 10,000 meals (page, CSV and Excel), then roll everything back."""

import time
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import RequestFactory

from canteen import reports
from canteen.models import Funder, MealRecord, MealSlot, Menu, SubsidyLine


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Benchmark the monthly settlement: create N meal records in a transaction, time the "
        "summary, the page and both exports, then roll back (the database is left unchanged)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--meals", type=int, default=10_000)

    def handle(self, *args, meals, **options):
        try:
            with transaction.atomic():
                self._run(meals)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write("Rolled back; nothing was kept.")

    def _time(self, label, fn):
        start = time.perf_counter()
        result = fn()
        self.stdout.write(f"  {label:<28} {1000 * (time.perf_counter() - start):8.1f} ms")
        return result

    def _run(self, n):
        from portal.models import Household, HouseholdMember, User

        month = date(2001, 1, 1)  # far from real data, and rolled back anyway
        slot = MealSlot.objects.order_by("order").first() or MealSlot.objects.create(name="午餐")
        menus = [
            Menu.objects.get_or_create(
                day=month + timedelta(days=d), slot=slot, defaults={"price": Decimal("14.00")}
            )[0]
            for d in range(28)
        ]
        household = Household.objects.create(building="99")
        people = HouseholdMember.objects.bulk_create(
            HouseholdMember(household=household, name=f"测试{i}", birth_date=date(1940, 1, 1))
            for i in range(200)
        )
        start = time.perf_counter()
        records = MealRecord.objects.bulk_create(
            MealRecord(
                menu=menus[i % 28],
                day=menus[i % 28].day,
                slot=slot,
                month=month,
                member=people[i % 200],
                person_name=people[i % 200].name,
                age=61,
                price=Decimal("14.00"),
                subsidy=Decimal("4.00"),
                paid=Decimal("10.00"),
            )
            for i in range(n)
        )
        SubsidyLine.objects.bulk_create(
            SubsidyLine(record=r, rule_name="60+", funder=Funder.GOVERNMENT, amount="4.00")
            for r in records
        )
        self.stdout.write(f"{n} meals created in {time.perf_counter() - start:.1f} s; timings:")

        summary = self._time("month summary", lambda: reports.month_summary(month))
        assert summary["subsidy"] == Decimal("4.00") * n
        self._time("meals per day and slot", lambda: reports.meals_per_day_and_slot(month))
        self._time("CSV export", lambda: reports.export(month, "csv"))
        self._time("Excel export", lambda: reports.export(month, "xlsx"))

        from canteen.views import settlement

        staff = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
            username="bench", password=None
        )
        request = RequestFactory().get("/canteen/staff/settlement/", {"month": "2001-01"})
        request.user = staff
        request.session = {}
        from django.contrib.messages.storage.fallback import FallbackStorage

        request._messages = FallbackStorage(request)
        self._time("settlement page (first)", lambda: settlement(request).content)
        self._time("settlement page (warm)", lambda: settlement(request).content)
