"""`manage.py draw_lotteries`: draws what is due, once; --dry-run changes nothing."""

from io import StringIO

import time_machine
from django.core.management import call_command

from classes.models import Course, Enrolment
from tests.classes.helpers import at, enrol, make_course


def test_it_draws_due_lotteries_once_and_dry_run_changes_nothing(now, term, parent, child):
    due = make_course(term, title="热门乐高", mode=Course.Mode.LOTTERY, capacity=2)
    later = make_course(
        term, title="春季抽签", mode=Course.Mode.LOTTERY, closes=at(2026, 12, 1, 20, 0)
    )
    enrol(parent, due, child)
    with time_machine.travel(at(2026, 9, 7, 8, 0), tick=False):
        out = StringIO()
        call_command("draw_lotteries", "--dry-run", stdout=out)
        assert "would draw 热门乐高" in out.getvalue()
        due.refresh_from_db()
        assert due.lottery_drawn_at is None

        out = StringIO()
        call_command("draw_lotteries", stdout=out)
        assert "drew 热门乐高" in out.getvalue() and "春季抽签" not in out.getvalue()
        assert Enrolment.objects.get().status == Enrolment.Status.ENROLLED

        out = StringIO()
        call_command("draw_lotteries", stdout=out)
        assert "no lottery is due" in out.getvalue()
    later.refresh_from_db()
    assert later.lottery_drawn_at is None
