"""What a meal costs a given person on a given day: the subsidy policy applied to a price.

Pure functions over already-loaded rules and categories, so a page can price many meals for
many people without a query per meal (the menu page, the counter, "my meals").
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from portal.lib.ages import age_on
from portal.lib.money import yuan


@dataclass(frozen=True)
class Line:
    """One subsidy on a quote: the rule it comes from, who pays, how much."""

    rule: object
    name: str
    funder: str
    funder_label: str
    amount: Decimal


@dataclass(frozen=True)
class Quote:
    price: Decimal
    lines: list[Line] = field(default_factory=list)

    @property
    def subsidy(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def to_pay(self) -> Decimal:
        return self.price - self.subsidy


def rule_applies(rule, *, day: date, birth_date: date | None, categories: set[str]) -> bool:
    """True if the rule is valid on `day` and the person meets its age and category."""
    if rule.valid_from > day or (rule.valid_to is not None and rule.valid_to < day):
        return False
    if rule.min_age is not None:
        age = age_on(birth_date, day)
        if age is None or age < rule.min_age:
            return False
    if rule.category and rule.category not in categories:
        return False
    return True


def quote(price, *, day: date, birth_date: date | None, categories=(), rules=()) -> Quote:
    """Price after subsidy for one person and meal.

    The highest non-stacking rule that applies wins; stacking rules are added on top; the
    total never exceeds the price (the last lines are cut down to fit).
    """
    price = yuan(price)
    held = set(categories)
    applying = [
        r for r in rules if rule_applies(r, day=day, birth_date=birth_date, categories=held)
    ]
    competing = [r for r in applying if not r.stacks]
    chosen = []
    if competing:
        # Highest amount wins; ties go to the earlier-starting, then lower id rule (stable).
        chosen.append(max(competing, key=lambda r: (r.amount, -r.valid_from.toordinal(), -r.pk)))
    chosen += sorted((r for r in applying if r.stacks), key=lambda r: (-r.amount, r.pk))

    lines, room = [], price
    for rule in chosen:
        amount = min(yuan(rule.amount), room)
        if amount <= 0:
            break
        lines.append(
            Line(
                rule=rule,
                name=rule.name,
                funder=rule.funder,
                funder_label=str(rule.get_funder_display()),
                amount=amount,
            )
        )
        room -= amount
    return Quote(price=price, lines=lines)


def held_categories(category_rows, day: date) -> set[str]:
    """The categories (of loaded ResidentCategory rows) a person holds on `day`."""
    return {row.category for row in category_rows if row.held_on(day)}
