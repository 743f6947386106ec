"""The classroom feeds the micro-fund by rule: a share of each fee paid is posted as income."""

from decimal import Decimal

import pytest
from django.urls import reverse

from classes.models import ClassroomSettings, FeePayment
from classes.services import record_fee_payment
from fund.models import FundEntry
from fund.services import FundError
from tests.classes.helpers import enrol, make_course

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def paid_course(term):
    return make_course(term, title="乐高材料班", fee=Decimal("80.00"))


def test_a_paid_fee_posts_the_funds_share_linked_to_it(parent, child, paid_course, classes_staff):
    e = enrol(parent, paid_course, child)
    payment = record_fee_payment(e, by=classes_staff)
    entry = FundEntry.objects.get()
    assert (payment.amount, payment.fund_share_percent) == (Decimal("80.00"), Decimal("30.00"))
    assert entry.amount == Decimal("24.00") and entry.source_payment == payment
    assert entry.category == FundEntry.Category.CLASSROOM and entry.counts
    assert "乐高材料班" in entry.description and "张小明" not in entry.description


def test_the_fee_is_copied_at_enrolment_and_the_share_read_at_payment(
    parent, child, paid_course, classes_staff
):
    e = enrol(parent, paid_course, child)
    paid_course.fee = Decimal("200.00")
    paid_course.save(update_fields=["fee"])
    settings = ClassroomSettings.current()
    settings.fund_share_percent = Decimal("12.50")
    settings.save()
    record_fee_payment(e, by=classes_staff)
    assert FundEntry.objects.get().amount == Decimal("10.00")  # 12.5% of the 80.00 copied


@pytest.mark.parametrize("case", ["free", "twice", "waiting"])
def test_fee_refusals_change_nothing(parent, child, term, classes_staff, case):
    course = make_course(term, fee=Decimal("0") if case == "free" else Decimal("50"), capacity=1)
    if case == "waiting":
        from tests.factories import make_child

        enrol(parent, course, make_child(parent, name="老大", birth_date=child.birth_date))
    e = enrol(parent, course, child)
    if case == "twice":
        record_fee_payment(e, by=classes_staff)
    before = (FeePayment.objects.count(), FundEntry.objects.count())
    with pytest.raises(FundError):
        record_fee_payment(e, by=classes_staff)
    assert (FeePayment.objects.count(), FundEntry.objects.count()) == before


def test_staff_record_fees_from_the_roster_and_teachers_cannot(
    client, parent, child, paid_course, classes_staff, teacher
):
    paid_course.teacher = teacher
    paid_course.save(update_fields=["teacher"])
    e = enrol(parent, paid_course, child)
    url = reverse("classes:fee-paid", args=[e.pk])
    client.force_login(teacher.user)
    assert client.post(url).status_code == 403
    assert not FeePayment.objects.exists()
    client.force_login(classes_staff)
    assert client.post(url).status_code == 302
    assert FeePayment.objects.get().enrolment == e
    client.logout()
    page = client.get(reverse("fund:index")).content.decode()
    assert "乐高材料班" in page and "张小明" not in page
