"""Money is exact on every database: any price in the range with any subsidy records and adds up."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canteen import pricing, reports, services
from canteen.models import MealRecord, SubsidyLine, SubsidyRule
from portal.ledgers import ExactSum
from tests.canteen.helpers import MEAL_DAY, at, lunch_slot, make_menu

FEN = Decimal("0.01")
PRICES = [Decimal(fen) / 100 for fen in range(1200, 1601)]  # every price 12.00 … 16.00
# Amounts whose binary floating-point forms are inexact, and the ends of the range.
AWKWARD_SUBSIDIES = [
    "0.01",
    "0.07",
    "1.10",
    "3.33",
    "4.00",
    "4.01",
    "5.55",
    "7.77",
    "12.99",
    "20.00",
]


def _totals(rows) -> dict:
    """The columns summed by the database (as the settlement does)."""
    return rows.aggregate(
        price=ExactSum("price"), subsidy=ExactSum("subsidy"), paid=ExactSum("paid")
    )


class _Rollback(Exception):
    pass


def _record_every_price_with_awkward_subsidies(elder) -> None:
    """A row per price and subsidy, priced by the policy, written in one go."""
    menu = make_menu(MEAL_DAY, lunch_slot(), price="14.00")
    member = elder.household.members.get()
    rows = []
    for price in PRICES:
        for amount in AWKWARD_SUBSIDIES:
            rule = SubsidyRule(
                pk=1, name="r", valid_from=date(2020, 1, 1), min_age=60, amount=Decimal(amount)
            )
            quote = pricing.quote(price, day=MEAL_DAY, birth_date=member.dob, rules=[rule])
            rows.append(
                MealRecord(
                    menu=menu,
                    day=MEAL_DAY,
                    slot=menu.slot,
                    month=MEAL_DAY.replace(day=1),
                    member=member,
                    person_name=member.full_name,
                    price=quote.price,
                    subsidy=quote.subsidy,
                    paid=quote.to_pay,
                )
            )
    MealRecord.objects.bulk_create(rows)  # each row passes the database's CHECK


def test_every_price_with_awkward_subsidies_is_stored_exactly(db, elder):
    _record_every_price_with_awkward_subsidies(elder)
    stored = list(MealRecord.objects.values_list("price", "subsidy", "paid"))
    assert len(stored) == len(PRICES) * len(AWKWARD_SUBSIDIES)
    assert all(paid + subsidy == price for price, subsidy, paid in stored)
    totals = _totals(MealRecord.objects.all())
    assert totals["paid"] + totals["subsidy"] == totals["price"]
    assert totals["price"] == sum(price for price, _s, _p in stored)
    assert all(total.as_tuple().exponent == -2 for total in totals.values())


def test_the_settlement_adds_up_a_month_to_the_fen(db, elder):
    _record_every_price_with_awkward_subsidies(elder)
    summary = reports.month_summary(MEAL_DAY.replace(day=1))
    assert summary["paid"] + summary["subsidy"] == summary["price"]
    assert summary["price"] == sum(PRICES) * len(AWKWARD_SUBSIDIES)


rule_amounts = st.integers(min_value=1, max_value=2000).map(lambda fen: Decimal(fen) / 100)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    price=st.sampled_from(PRICES),
    rules=st.lists(st.tuples(rule_amounts, st.booleans()), min_size=0, max_size=3),
)
def test_the_counter_records_any_price_and_subsidy_policy_exactly(
    elder, canteen_staff, time_machine, price, rules
):
    time_machine.move_to(at(MEAL_DAY, 12), tick=False)
    member = elder.household.members.get()
    try:
        with transaction.atomic():
            SubsidyRule.objects.all().delete()
            for i, (amount, stacks) in enumerate(rules):
                SubsidyRule.objects.create(
                    name=f"规则{i}",
                    valid_from=date(2020, 1, 1),
                    min_age=60,
                    amount=amount,
                    stacks=stacks,
                )
            menu = make_menu(MEAL_DAY, lunch_slot(), price=str(price))
            record = services.record_meal(menu, member, by=canteen_staff)
            again = services.record_meal(menu, member, by=canteen_staff)  # full price
            reversal = services.reverse_meal(record, reason="更正", by=canteen_staff)

            for row in (record, again, reversal):
                row.refresh_from_db()
                assert row.paid + row.subsidy == row.price
                assert row.price.as_tuple().exponent == -2
                lines = SubsidyLine.objects.filter(record=row).aggregate(s=ExactSum("amount"))["s"]
                assert (lines or Decimal("0.00")) == row.subsidy
            assert Decimal("0.00") <= record.subsidy <= price
            assert again.subsidy == 0 and again.paid == price

            totals = _totals(MealRecord.objects.filter(menu=menu))
            assert totals["paid"] + totals["subsidy"] == totals["price"] == price
            raise _Rollback
    except _Rollback:
        pass
