"""The migration that drops the settings' elder subsidy keeps what staff typed there when no
age rule exists, and leaves an existing rule (what was charged and claimed) alone."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("canteen", "0007_meal_day_slot_index"), ("portal", "0003_user_language")]
AFTER = [
    ("canteen", "0008_elder_rule_from_community_settings"),
    ("portal", "0004_remove_community_elder_subsidy"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("existing_rule", "expected"),
    [(False, [(65, Decimal("5.00"))]), (True, [(60, Decimal("4.00"))])],
    ids=["no-age-rule", "rule-kept"],
)
def test_the_settings_amount_becomes_a_rule_only_where_none_exists(existing_rule, expected):
    try:
        old = _migrate(BEFORE)
        SubsidyRule = old.get_model("canteen", "SubsidyRule")
        SubsidyRule.objects.all().delete()
        if existing_rule:
            SubsidyRule.objects.create(
                name="60周岁以上老人就餐补贴",
                valid_from="2020-01-01",
                min_age=60,
                amount=Decimal("4.00"),
                funder="government",
            )
        old.get_model("portal", "Community").objects.update_or_create(
            pk=1, defaults={"elder_age": 65, "elder_subsidy": Decimal("5.00")}
        )
        new = _migrate(AFTER)
        rules = new.get_model("canteen", "SubsidyRule").objects.filter(min_age__isnull=False)
        assert [(r.min_age, r.amount) for r in rules] == expected
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
