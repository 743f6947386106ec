"""Ledgers cannot be rewritten: refused by the models everywhere and by triggers in PostgreSQL."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone, translation

from canteen.models import ClosedMonth, MealRecord, Menu, SubsidyLine
from classes.models import Course, Enrolment, FeePayment, LotteryDraw, Term
from fund.models import FundEntry
from portal.ledgers import AppendOnlyError
from tests.canteen.helpers import lunch_slot, make_menu
from tests.factories import make_child, make_user
from volunteers.models import Certificate, HoursEntry

MAY = date(2026, 5, 1)


def _user():
    return make_user("记账员")


def hours_entry():
    user = _user()
    entry = HoursEntry.objects.create(
        volunteer=user,
        served_on=date(2026, 5, 10),
        hours=Decimal("2.00"),
        kind=HoursEntry.Kind.CORRECTION,
        reason="补记",
        created_by=user,
    )
    return entry, "hours", Decimal("20.00")


def certificate():
    user = _user()
    cert = Certificate.objects.create(
        number="2026-0001",
        volunteer=user,
        volunteer_name="记账员",
        volunteer_number="V0001",
        hours=Decimal("12.50"),
        posts_served=3,
        content="补鞋",
        issuer="公园路社区",
    )
    return cert, "hours", Decimal("125.00")


def fund_income():
    entry = FundEntry.objects.create(
        kind=FundEntry.Kind.INCOME,
        category=FundEntry.Category.DONATION,
        date=MAY,
        amount=Decimal("100.00"),
        description="捐赠",
        status=FundEntry.Status.POSTED,
        proposed_by=_user(),
    )
    return entry, "amount", Decimal("1000.00")


def fee_payment():
    user = _user()
    term = Term.objects.create(name="秋季", starts_on=date(2026, 9, 7), ends_on=date(2026, 12, 31))
    course = Course.objects.create(
        term=term,
        title="书法",
        subject="calligraphy",
        age_min=5,
        age_max=12,
        capacity=5,
        place="活动室",
        enrol_opens_at=timezone.now() - timedelta(days=2),
        enrol_closes_at=timezone.now() - timedelta(days=1),
        fee=Decimal("50.00"),
    )
    enrolment = Enrolment.objects.create(
        course=course, child=make_child(user), status="enrolled", pickup_people="妈妈"
    )
    payment = FeePayment.objects.create(
        enrolment=enrolment, amount=Decimal("50.00"), fund_share_percent=30, received_by=user
    )
    return payment, "amount", Decimal("5.00")


def meal_record():
    user = _user()
    menu = Menu.objects.filter(day=date(2026, 5, 6)).first() or make_menu(date(2026, 5, 6))
    record = MealRecord.objects.create(
        menu=menu,
        day=menu.day,
        slot=menu.slot,
        month=MAY,
        member=user.household.members.get(),
        person_name="记账员",
        price=Decimal("14.00"),
        subsidy=Decimal("4.00"),
        paid=Decimal("10.00"),
        recorded_by=user,
    )
    return record, "paid", Decimal("10.00")  # the same amount: any rewrite is refused


def subsidy_line():
    record, _field, _value = meal_record()
    line = SubsidyLine.objects.create(
        record=record, rule_name="60周岁以上", funder="government", amount=Decimal("4.00")
    )
    return line, "amount", Decimal("40.00")


def lottery_draw():
    payment, _field, _value = fee_payment()
    course = payment.enrolment.course
    draw = LotteryDraw.objects.create(
        course=course, number=1, seed=course.lottery_seed or "s", result={"won": [1]}
    )
    return draw, "result", {"won": [2]}


def closed_month():
    return ClosedMonth.objects.create(month=MAY, closed_by=_user()), "month", date(2026, 6, 1)


LEDGERS = [hours_entry, certificate, fund_income, fee_payment, meal_record, subsidy_line]
LEDGERS += [closed_month, lottery_draw]
IDS = [f.__name__ for f in LEDGERS]


def _row(obj) -> tuple:
    """The row as stored, read with SQL (so no model code is involved)."""
    table = obj._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [obj.pk])  # noqa: S608
        return cursor.fetchone()


# ---------------------------------------------------------------- the models (every database)


@pytest.mark.parametrize("make", LEDGERS, ids=IDS)
def test_saving_an_existing_ledger_row_is_refused(db, make):
    obj, field, value = make()
    before = _row(obj)
    setattr(obj, field, value)
    with pytest.raises(AppendOnlyError, match="只能追加"):  # Chinese, the default
        obj.save()
    assert _row(obj) == before


@pytest.mark.parametrize("make", LEDGERS, ids=IDS)
def test_deleting_a_ledger_row_is_refused(db, make):
    obj, _field, _value = make()
    with pytest.raises(AppendOnlyError):
        obj.delete()
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("make", LEDGERS, ids=IDS)
def test_queryset_update_delete_and_bulk_update_are_refused(db, make):
    obj, field, value = make()
    before = _row(obj)
    rows = type(obj).objects.filter(pk=obj.pk)
    with pytest.raises(AppendOnlyError):
        rows.update(**{field: value})
    with pytest.raises(AppendOnlyError):
        rows.delete()
    setattr(obj, field, value)
    with pytest.raises(AppendOnlyError):
        type(obj).objects.bulk_update([obj], [field])
    assert _row(obj) == before


def test_the_refusal_names_the_ledger_and_the_way_out(db):
    entry, _field, _value = hours_entry()
    with pytest.raises(AppendOnlyError) as refused:
        entry.delete()
    with translation.override("en"):
        assert "hours ledger" in str(refused.value)
        assert "correcting entry" in str(refused.value)


def test_ledger_rows_are_still_added_and_read(db):
    entry, _field, _value = hours_entry()
    assert HoursEntry.objects.filter(volunteer=entry.volunteer).total() == Decimal("2.00")


def test_a_user_with_ledger_rows_cannot_be_deleted_so_no_row_loses_its_name(db):
    entry, _field, _value = hours_entry()
    with pytest.raises(models.ProtectedError):
        entry.created_by.delete()
    assert HoursEntry.objects.get(pk=entry.pk).created_by_id == entry.created_by_id


def test_a_team_with_hours_cannot_be_deleted_so_the_hours_keep_their_team(db):
    from volunteers.models import Team

    team = Team.objects.create(name="补鞋队", slug="shoes")
    user = _user()
    HoursEntry.objects.create(
        volunteer=user, team=team, served_on=MAY, hours=1, kind="correction", reason="补记"
    )
    with pytest.raises(models.ProtectedError):
        team.delete()


# ---------------------------------------------------------------- the fund's forward steps


def _proposal():
    return FundEntry.objects.create(
        kind=FundEntry.Kind.EXPENDITURE,
        category=FundEntry.Category.SUPPLIES,
        date=MAY,
        amount=Decimal("80.00"),
        description="画笔",
        status=FundEntry.Status.PROPOSED,
        proposed_by=_user(),
    )


def _approve(entry, approver):
    entry.status, entry.approved_by, entry.approved_at = "approved", approver, timezone.now()


def _pay(entry):
    entry.status, entry.paid_at = "paid", timezone.now()


def _reject(entry):
    entry.status = "rejected"


def _back_to_proposed(entry):
    entry.status = "proposed"


def _raise_amount(entry):
    entry.amount = Decimal("8000.00")


def _change_approver(entry):
    entry.approved_by = make_user("另一位")


def _pay_again(entry):
    entry.paid_at = timezone.now() + timedelta(days=1)


def _approve_and_edit_purpose(entry):
    _approve(entry, make_user("审批人"))
    entry.description = "别的用途"


REFUSED_STEPS = [
    ("proposed", _pay),
    ("proposed", _raise_amount),
    ("proposed", _approve_and_edit_purpose),
    ("approved", _back_to_proposed),
    ("approved", _reject),
    ("approved", _change_approver),
    ("paid", _back_to_proposed),
    ("paid", _pay_again),
    ("paid", _raise_amount),
    ("rejected", _back_to_proposed),
]
REFUSED_IDS = [f"{state}-{step.__name__.lstrip('_')}" for state, step in REFUSED_STEPS]


def _spending_in(state: str) -> FundEntry:
    entry = _proposal()
    if state in ("approved", "paid"):
        _approve(entry, make_user("审批人"))
        entry.save()
    if state == "paid":
        _pay(entry)
        entry.save()
    if state == "rejected":
        _reject(entry)
        entry.save()
    entry.refresh_from_db()
    return entry


@pytest.mark.parametrize("state", ["approved", "paid", "rejected"])
def test_spending_takes_its_forward_steps(db, state):
    entry = _spending_in(state)
    assert entry.status == state


@pytest.mark.parametrize(("state", "step"), REFUSED_STEPS, ids=REFUSED_IDS)
def test_spending_never_goes_back_nor_changes_what_was_entered(db, state, step):
    entry = _spending_in(state)
    before = _row(entry)
    step(entry)
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert _row(entry) == before


# ---------------------------------------------------------------- PostgreSQL: the triggers


# The ORM's own paths, past the models' guards: only the database is left to refuse.
def _plain(obj) -> models.QuerySet:
    return models.QuerySet(model=type(obj))


def _bypass_save(obj, field, value):
    setattr(obj, field, value)
    models.Model.save(obj)


def _bypass_update(obj, field, value):
    _plain(obj).filter(pk=obj.pk).update(**{field: value})


def _bypass_bulk_update(obj, field, value):
    setattr(obj, field, value)
    _plain(obj).bulk_update([obj], [field])


def _bypass_delete(obj, field, value):
    models.Model.delete(obj)


def _bypass_queryset_delete(obj, field, value):
    _plain(obj).filter(pk=obj.pk).delete()


def _raw_update(obj, field, value):
    column = obj._meta.get_field(field).column
    value = json.dumps(value) if isinstance(value, dict) else value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {obj._meta.db_table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, obj.pk],
        )


def _raw_delete(obj, field, value):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {obj._meta.db_table} WHERE id = %s", [obj.pk])  # noqa: S608


WAYS = [
    _bypass_save,
    _bypass_update,
    _bypass_bulk_update,
    _bypass_delete,
    _bypass_queryset_delete,
    _raw_update,
    _raw_delete,
]
WAY_IDS = [w.__name__.lstrip("_") for w in WAYS]


@pytest.mark.postgres
@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
@pytest.mark.parametrize("make", LEDGERS, ids=IDS)
def test_postgresql_refuses_every_way_of_rewriting_a_ledger(db, make, way):
    obj, field, value = make()
    before = _row(obj)
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"):
        with transaction.atomic():
            way(obj, field, value)
    assert _row(obj) == before


@pytest.mark.postgres
@pytest.mark.parametrize(("state", "step"), REFUSED_STEPS, ids=REFUSED_IDS)
def test_postgresql_refuses_the_funds_backward_steps(db, state, step):
    entry = _spending_in(state)
    before = _row(entry)
    step(entry)
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"):
        with transaction.atomic():
            models.Model.save(entry)
    assert _row(entry) == before


@pytest.mark.postgres
def test_postgresql_lets_spending_take_its_forward_steps_from_raw_sql(db):
    entry = _proposal()
    approver = make_user("审批人")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE fund_fundentry SET status = 'approved', approved_by_id = %s, "
            "approved_at = now() WHERE id = %s",
            [approver.pk, entry.pk],
        )
        cursor.execute(
            "UPDATE fund_fundentry SET status = 'paid', paid_at = now() WHERE id = %s",
            [entry.pk],
        )
    entry.refresh_from_db()
    assert entry.status == "paid" and entry.approved_by == approver


@pytest.mark.postgres
@pytest.mark.parametrize("make", [meal_record, subsidy_line], ids=["meal", "subsidy-line"])
def test_postgresql_refuses_a_new_row_in_a_closed_month(db, make):
    obj, _field, _value = make()
    ClosedMonth.objects.create(month=MAY)
    obj.pk = obj.id = None
    obj._state.adding = True
    if isinstance(obj, SubsidyLine):
        obj.month = MAY
    else:
        obj.menu = make_menu(date(2026, 5, 7), lunch_slot())
    count = type(obj).objects.count()
    with pytest.raises(IntegrityError, match="2026-05 is closed"):
        with transaction.atomic():
            models.Model.save(obj)
    assert type(obj).objects.count() == count


@pytest.mark.postgres
def test_flush_still_empties_the_ledgers(transactional_db):
    """TRUNCATE is not an UPDATE or DELETE: transactional tests and the bench's --wipe work."""
    for make in LEDGERS:
        make()
    call_command("flush", interactive=False, verbosity=0)
    assert not HoursEntry.objects.exists() and not MealRecord.objects.exists()
    assert not FundEntry.objects.exists() and not ClosedMonth.objects.exists()
