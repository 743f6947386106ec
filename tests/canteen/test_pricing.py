"""The subsidy policy applied to a price: who gets what, on the meal's day."""

from datetime import date
from decimal import Decimal

import pytest

from canteen import pricing
from canteen.models import Category, Funder, SubsidyRule


def rule(
    pk,
    amount,
    *,
    min_age=None,
    category="",
    stacks=False,
    valid_from=date(2020, 1, 1),
    valid_to=None,
    funder=Funder.GOVERNMENT,
):
    return SubsidyRule(
        pk=pk,
        name=f"rule {pk}",
        amount=Decimal(amount),
        min_age=min_age,
        category=category,
        stacks=stacks,
        valid_from=valid_from,
        valid_to=valid_to,
        funder=funder,
    )


ELDER = rule(1, "4.00", min_age=60)
DIBAO = rule(2, "6.00", category=Category.LOW_INCOME, funder=Funder.COMMUNITY)
DISABILITY_TOPUP = rule(3, "2.00", category=Category.DISABILITY, stacks=True, funder=Funder.CHARITY)
EMPTY_NEST_BIG = rule(4, "15.00", category=Category.EMPTY_NEST, stacks=True)
OLD_RULE = rule(5, "3.00", min_age=60, valid_from=date(2020, 1, 1), valid_to=date(2026, 4, 30))
AT_61 = rule(7, "4.00", min_age=61)
NEW_RULE = rule(6, "5.00", min_age=60, valid_from=date(2026, 5, 1))

CASES = [
    # (birth date, meal day, categories, rules, price, expected subsidy, expected funders)
    (date(1966, 5, 7), date(2026, 5, 6), [], [ELDER], "14.00", "0.00", []),
    (date(1966, 5, 6), date(2026, 5, 6), [], [ELDER], "14.00", "4.00", ["government"]),
    (date(1966, 5, 5), date(2026, 5, 6), [], [ELDER], "14.00", "4.00", ["government"]),
    (date(1966, 5, 3), date(2026, 5, 2), [], [ELDER], "14.00", "0.00", []),
    (date(1966, 5, 3), date(2026, 5, 3), [], [ELDER], "14.00", "4.00", ["government"]),
    (date(1964, 2, 29), date(2024, 2, 28), [], [ELDER], "12.00", "0.00", []),
    (date(1964, 2, 29), date(2024, 2, 29), [], [ELDER], "12.00", "4.00", ["government"]),
    (date(1965, 2, 28), date(2025, 2, 28), [], [ELDER], "12.00", "4.00", ["government"]),
    (date(1964, 2, 29), date(2025, 2, 28), [], [AT_61], "12.00", "0.00", []),
    (date(1964, 2, 29), date(2025, 3, 1), [], [AT_61], "12.00", "4.00", ["government"]),
    (None, date(2026, 5, 6), [], [ELDER], "14.00", "0.00", []),
    (
        date(1950, 1, 1),
        date(2026, 5, 6),
        [Category.LOW_INCOME],
        [ELDER, DIBAO],
        "14.00",
        "6.00",
        ["community"],
    ),
    (
        date(1990, 1, 1),
        date(2026, 5, 6),
        [Category.LOW_INCOME],
        [ELDER, DIBAO],
        "14.00",
        "6.00",
        ["community"],
    ),
    (
        date(1950, 1, 1),
        date(2026, 5, 6),
        [Category.DISABILITY],
        [ELDER, DISABILITY_TOPUP],
        "14.00",
        "6.00",
        ["government", "charity"],
    ),
    (
        date(1990, 1, 1),
        date(2026, 5, 6),
        [Category.DISABILITY],
        [ELDER, DISABILITY_TOPUP],
        "14.00",
        "2.00",
        ["charity"],
    ),
    (
        date(1950, 1, 1),
        date(2026, 5, 6),
        [Category.EMPTY_NEST, Category.DISABILITY],
        [ELDER, EMPTY_NEST_BIG, DISABILITY_TOPUP],
        "13.50",
        "13.50",
        ["government", "government"],
    ),
    (
        date(1950, 1, 1),
        date(2026, 4, 30),
        [],
        [OLD_RULE, NEW_RULE],
        "14.00",
        "3.00",
        ["government"],
    ),
    (date(1950, 1, 1), date(2026, 5, 1), [], [OLD_RULE, NEW_RULE], "14.00", "5.00", ["government"]),
    (date(1950, 1, 1), date(2019, 12, 31), [], [ELDER], "14.00", "0.00", []),
]
IDS = [
    "age-59-day-before-60th-birthday",
    "age-60-on-birthday",
    "age-60-day-after-birthday",
    "turns-60-on-3-may-pays-full-on-2-may",
    "turns-60-on-3-may-subsidised-on-3-may",
    "leap-born-not-60-on-28-feb-of-leap-year",
    "leap-born-60-on-29-feb",
    "born-28-feb-60-on-28-feb",
    "leap-born-not-yet-61-on-28-feb-of-common-year",
    "leap-born-61-on-1-march-of-common-year",
    "no-birth-date-no-age-subsidy",
    "highest-non-stacking-wins-dibao-over-elder",
    "category-rule-without-age",
    "stacking-rule-adds-on-top",
    "stacking-rule-alone",
    "cap-at-price-cuts-stacked-lines",
    "old-rule-valid-to-last-day",
    "new-rule-valid-from-first-day",
    "before-any-rule-is-valid",
]


@pytest.mark.parametrize("born,day,cats,rules,price,subsidy,funders", CASES, ids=IDS)
def test_subsidy_rules_table(born, day, cats, rules, price, subsidy, funders):
    q = pricing.quote(Decimal(price), day=day, birth_date=born, categories=cats, rules=rules)
    assert q.subsidy == Decimal(subsidy)
    assert [line.funder for line in q.lines] == funders
    assert q.to_pay == Decimal(price) - Decimal(subsidy)
    assert q.to_pay >= 0


def test_the_subsidy_never_exceeds_a_cheap_price():
    big = rule(9, "20.00", min_age=60)
    q = pricing.quote(
        Decimal("12.00"), day=date(2026, 5, 6), birth_date=date(1950, 1, 1), rules=[big]
    )
    assert q.subsidy == Decimal("12.00")
    assert q.to_pay == Decimal("0.00")


def test_a_category_counts_only_while_held(db, elder):
    from canteen.models import ResidentCategory

    row = ResidentCategory.objects.create(
        member=elder.member,
        category=Category.LOW_INCOME,
        valid_from=date(2026, 5, 1),
        valid_to=date(2026, 5, 31),
    )
    assert pricing.held_categories([row], date(2026, 4, 30)) == set()
    assert pricing.held_categories([row], date(2026, 5, 31)) == {Category.LOW_INCOME}
    assert pricing.held_categories([row], date(2026, 6, 1)) == set()


def test_the_seeded_default_rule_is_60_plus_4_yuan_paid_by_government(elder_rule):
    assert elder_rule.min_age == 60
    assert elder_rule.amount == Decimal("4.00")
    assert elder_rule.funder == Funder.GOVERNMENT
    assert elder_rule.valid_to is None
