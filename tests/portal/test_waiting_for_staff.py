"""What waits for staff reaches their inbox: spending to approve, an offer to place in a team
(a stall to review: tests/events/test_stalls.py). Never the person who caused it, never staff
of another module."""

from datetime import date
from decimal import Decimal

import pytest

from fund import services as fund_services
from fund.models import FundEntry
from portal import roles
from portal.models import Notice
from tests.factories import make_user
from volunteers import services as volunteers_services

pytestmark = pytest.mark.django_db

TO_DECIDE = Notice.Kind.TO_DECIDE


def _told(user):
    return list(Notice.objects.filter(recipient=user, kind=TO_DECIDE))


def test_proposed_spending_waits_in_the_other_classes_staff_s_inbox(classes_staff, events_staff):
    approver = make_user("钱审批", role_list=[roles.CLASSES_STAFF])
    fund_services.propose_expenditure(
        by=classes_staff,
        date=date(2026, 11, 30),
        amount=Decimal("80.00"),
        category=FundEntry.Category.SUPPLIES,
        description="彩纸",
    )
    [notice] = _told(approver)
    assert "¥80.00" in notice.text and "彩纸" in notice.text
    assert notice.url == "/fund/manage/"
    assert _told(classes_staff) == []  # never asked to approve one's own proposal
    assert _told(events_staff) == []


def test_an_offer_without_a_team_waits_for_the_coordinator(resident, coordinator, classes_staff):
    volunteers_services.submit_volunteer_offer(resident, source="classes:parent-offer")
    [notice] = _told(coordinator)
    assert resident.display_name in notice.text and notice.url == "/volunteers/coordinator/"
    assert _told(classes_staff) == []


def test_waiting_work_comes_by_mail_not_by_text():
    from portal.notices import CHANNEL_KINDS

    assert TO_DECIDE in CHANNEL_KINDS["email"] and TO_DECIDE not in CHANNEL_KINDS["sms"]
