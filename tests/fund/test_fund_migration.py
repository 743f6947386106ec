"""The micro-fund leaves the classroom for its own app: every entry keeps its id, amount, status,
links and history; on PostgreSQL the ledger's triggers guard the new table and the old are gone."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from fund.models import FundEntry
from tests.factories import make_user
from tests.portal.test_notice_migration import migrate

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE = [("classes", "0008_institutions_to_partners")]


@pytest.fixture
def back_to_latest():
    yield
    migrate()


def _triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = %s AND NOT t.tgisinternal",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


def _table_exists(table: str) -> bool:
    return table in connection.introspection.table_names()


@pytest.mark.django_db(transaction=True)
def test_fund_entries_keep_ids_amounts_statuses_and_history(back_to_latest):
    staff, colleague = make_user("王课堂"), make_user("李课堂")
    when = datetime(2026, 9, 2, 10, tzinfo=SHANGHAI)
    old = migrate(BEFORE)
    OldEntry = old.get_model("classes", "FundEntry")
    OldHistory = old.get_model("classes", "HistoricalFundEntry")
    common = {"date": date(2026, 9, 1), "proposed_by_id": staff.pk, "created_at": when}
    rows = [
        OldEntry(pk=3, kind="income", category="donation", amount=Decimal("500.00"),
                 description="爱心捐款", donor_name="王阿姨", status="posted", **common),
        OldEntry(pk=5, kind="expenditure", category="project", amount=Decimal("120.50"),
                 description="助行器", status="paid", approved_by_id=colleague.pk,
                 approved_at=when, paid_at=when, **common),
        OldEntry(pk=8, kind="expenditure", category="supplies", amount=Decimal("60.00"),
                 description="画材", status="proposed", **common),
    ]  # fmt: skip
    OldEntry.objects.bulk_create(rows)
    OldEntry.objects.create(
        pk=9, kind="income", category="donation", amount=Decimal("-500.00"), description="爱心捐款",
        status="posted", reverses_id=3, reason="重复录入", **common,
    )  # fmt: skip
    OldHistory.objects.create(
        id=5, kind="expenditure", category="project", amount=Decimal("120.50"),
        description="助行器", status="approved", history_date=when, history_type="~",
        history_user_id=colleague.pk, date=date(2026, 9, 1), proposed_by_id=staff.pk,
        created_at=when,
    )  # fmt: skip
    if connection.vendor == "postgresql":
        assert {"pgtrigger_append_only_d0590", "pgtrigger_forward_only_f8914"} <= _triggers(
            "classes_fundentry"
        )

    migrate()

    entries = {e.pk: e for e in FundEntry.objects.all()}
    assert set(entries) == {3, 5, 8, 9}
    assert [(entries[k].amount, entries[k].status) for k in (3, 5, 8, 9)] == [
        (Decimal("500.00"), "posted"),
        (Decimal("120.50"), "paid"),
        (Decimal("60.00"), "proposed"),
        (Decimal("-500.00"), "posted"),
    ]
    assert entries[5].approved_by == colleague and entries[9].reverses == entries[3]
    assert entries[3].donor_name == "王阿姨" and entries[3].purpose is None
    assert FundEntry.objects.balance() == Decimal("-120.50")
    history = FundEntry.history.get(id=5)
    assert (history.status, history.history_user_id) == ("approved", colleague.pk)
    assert ContentType.objects.get_for_model(FundEntry).app_label == "fund"
    assert not _table_exists("classes_fundentry")
    assert not _table_exists("classes_historicalfundentry")
    # a new entry numbers on after the old ones
    assert FundEntry.objects.create(
        kind="income", category="other", amount=1, description="新", status="posted",
        date=date(2026, 9, 3), proposed_by=staff,
    ).pk > 9  # fmt: skip
    if connection.vendor == "postgresql":
        assert _triggers("fund_fundentry") == {
            "pgtrigger_append_only_d88df",
            "pgtrigger_forward_only_61df7",
        }

    # and back: the classroom's tables and triggers again, nothing lost
    old = migrate(BEFORE)
    assert old.get_model("classes", "FundEntry").objects.count() == 5
    if connection.vendor == "postgresql":
        assert {"pgtrigger_append_only_d0590", "pgtrigger_forward_only_f8914"} <= _triggers(
            "classes_fundentry"
        )
        assert not _table_exists("fund_fundentry")
