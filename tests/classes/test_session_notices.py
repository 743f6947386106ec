"""A cancelled or moved session reaches the parents by text: at night only when it cannot wait."""

import pytest
import time_machine

from classes.services import cancel_session, move_session
from portal.models import Notice
from tests.classes.helpers import at, enrol


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr("portal.delivery.queue_message", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def first_session(now, parent, child, course):
    enrol(parent, course, child)
    return course.sessions.order_by("date").first()  # Saturday 12 September, 09:00


@pytest.mark.parametrize(
    ("cancelled_at", "urgent"),
    [
        (at(2026, 9, 11, 22, 0), True),
        (at(2026, 9, 4, 22, 0), False),
        (at(2026, 9, 12, 7, 0), True),
    ],
    ids=["the-night-before", "a-week-before-at-night", "that-morning"],
)
def test_a_cancellation_is_urgent_when_a_held_text_would_come_too_late(
    first_session, parent, queued, cancelled_at, urgent
):
    with time_machine.travel(cancelled_at, tick=False):
        cancel_session(first_session, reason="老师生病")

    notice = Notice.objects.get(recipient=parent)
    assert notice.kind == Notice.Kind.CANCELLED
    sms = [c for c in queued if c["channel"] == "sms"]
    assert len(sms) == 1 and sms[0]["urgent"] is urgent
    assert sms[0]["params"]["course"] == first_session.course.title


def test_moving_a_far_session_to_tomorrow_morning_late_at_night_is_urgent(
    first_session, parent, queued
):
    with time_machine.travel(at(2026, 9, 11, 22, 0), tick=False):
        move_session(
            first_session,
            day=at(2026, 9, 12, 0, 0).date(),
            starts_at=at(2026, 9, 12, 7, 30).time(),
            ends_at=at(2026, 9, 12, 9, 0).time(),
        )

    assert Notice.objects.get(recipient=parent).kind == Notice.Kind.TIME_CHANGED
    assert [c["urgent"] for c in queued if c["channel"] == "sms"] == [True]


def test_a_parent_with_two_children_in_the_course_is_told_once(
    first_session, parent, course, queued
):
    from tests.factories import make_child

    sibling = make_child(parent, name="张小红", birth_date=first_session.date.replace(year=2019))
    enrol(parent, course, sibling)

    told = cancel_session(first_session, reason="停电")

    assert told == 1
    assert Notice.objects.filter(recipient=parent).count() == 1
    assert [c["channel"] for c in queued] == ["sms", "email"]
