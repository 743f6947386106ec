"""Demo data for the micro-fund: six months of the classroom's share, a partner's contribution,
donations (one corrected by a reversing entry), three projects paid and one proposal waiting for
approval. Runs once: a second run changes nothing."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fund import services as fund_services
from fund.models import FundEntry
from portal.lib.money import format_yuan


def seed(command, community, people):
    """Create the demo ledger; idempotent. Returns lines to print."""
    if FundEntry.objects.exists():
        return ["fund: demo micro-fund already present"]
    return _seed_fund(people)


def _seed_fund(people) -> list[str]:
    staff, admin = people["classes_staff"], people["admin"]
    today = timezone.localdate()
    start = today.replace(day=1)
    made = 0
    for k in range(6, 0, -1):
        month = (start - timedelta(days=30 * k)).replace(day=15)
        fund_services.record_income(
            by=staff,
            date=month,
            amount=Decimal("300.00") + 20 * k,
            category="classroom",
            description="睦邻课堂材料费分成",
        )
        made += 1
    fund_services.record_income(
        by=staff,
        date=start - timedelta(days=120),
        amount="2000.00",
        category="partner",
        description="辖区单位共建资金",
        donor_name="红星超市",
        donor_is_public=True,
    )
    fund_services.record_income(
        by=staff,
        date=start - timedelta(days=75),
        amount="500.00",
        category="donation",
        description="居民爱心捐款",
        donor_name="某居民",
    )
    wrong = fund_services.record_income(
        by=staff,
        date=start - timedelta(days=40),
        amount="800.00",
        category="donation",
        description="居民爱心捐款",
    )
    fund_services.reverse_entry(wrong, by=admin, reason="金额录入错误，应为80元")
    fund_services.record_income(
        by=staff,
        date=start - timedelta(days=40),
        amount="80.00",
        category="donation",
        description="居民爱心捐款",
    )
    made += 5
    for days, amount, description in [
        (100, "650.00", "为空巢老人购买助行器和防滑垫"),
        (60, "420.00", "邻里节公益绿跑物资"),
        (20, "380.00", "困难家庭儿童学习用品"),
    ]:
        entry = fund_services.propose_expenditure(
            by=staff,
            date=start - timedelta(days=days),
            amount=amount,
            category="project",
            description=description,
        )
        fund_services.approve_expenditure(entry, by=admin)
        fund_services.pay_expenditure(entry, by=admin)
        made += 1
    fund_services.propose_expenditure(
        by=staff,
        date=today,
        amount="260.00",
        category="supplies",
        description="课堂画材补充（待审批）",
    )
    made += 1
    balance = format_yuan(FundEntry.objects.balance())
    return [f"fund: {made} micro-fund entries, balance {balance}"]
