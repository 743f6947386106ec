"""The lottery: deterministic given its seed, siblings together, clashes skipped, exact fill."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from classes import lottery
from classes.models import Course, Enrolment
from classes.services import EnrolmentError, run_lottery
from portal.models import Notice
from tests.classes.helpers import at, enrol, make_course
from tests.factories import make_child, make_user

AFTER_CLOSE = at(2026, 9, 6, 21, 0)


def test_the_same_seed_gives_the_same_draw():
    groups = [[1], [2, 3], [4], [5], [6, 7, 8], [9]]
    first = lottery.draw(groups, places=4, seed="abc123", skipped=[5])
    again = lottery.draw([list(g) for g in groups], places=4, seed="abc123", skipped=[5])
    assert first == again
    assert first["order"] != groups or first["won"]  # shuffled and placed


@pytest.mark.parametrize("seed", [f"seed-{i}" for i in range(30)])
def test_siblings_are_placed_together_or_wait_together(seed):
    result = lottery.draw([[1], [2, 3], [4], [5], [6, 7]], places=3, seed=seed, skipped=[])
    for family in ({2, 3}, {6, 7}):
        assert family <= set(result["won"]) or family <= set(result["waiting"])
    # Whatever the order, single children can fill what a family could not: exactly 3 placed.
    assert len(result["won"]) == 3


def test_each_entry_is_drawn_at_most_once_and_clashes_are_skipped():
    result = lottery.draw([[1], [2], [3], [4]], places=2, seed="x", skipped=[2])
    drawn = result["won"] + result["waiting"]
    assert sorted(drawn) == [1, 3, 4] and len(drawn) == len(set(drawn))
    assert result["skipped"] == [2]


def test_stable_groups_put_siblings_together_in_sign_up_order():
    assert lottery.stable_groups([(7, 30), (3, 10), (5, 30), (4, 20)]) == [[3], [4], [5, 7]]


@pytest.fixture
def lottery_course(now, term):
    return make_course(
        term, title="热门乐高", capacity=3, mode=Course.Mode.LOTTERY, lottery_seed="published-seed"
    )


def _families(n):
    out = []
    for i in range(n):
        parent = make_user(f"家长{i}")
        out.append((parent, make_child(parent, name=f"孩子{i}", birth_date=date(2018, 3, 1))))
    return out


def test_entries_wait_for_the_draw_and_the_draw_fills_exactly_the_places(lottery_course):
    families = _families(5)
    twins_parent = make_user("双胞胎家长")
    twin_a = make_child(twins_parent, name="大宝", birth_date=date(2018, 5, 5))
    twin_b = make_child(twins_parent, name="二宝", birth_date=date(2018, 5, 5))
    for parent, kid in [*families, (twins_parent, twin_a), (twins_parent, twin_b)]:
        assert enrol(parent, lottery_course, kid).status == Enrolment.Status.APPLIED

    with time_machine.travel(AFTER_CLOSE, tick=False):
        result = run_lottery(lottery_course)

    statuses = dict(lottery_course.enrolments.values_list("child__name", "status"))
    assert list(statuses.values()).count("enrolled") == 3
    assert statuses["大宝"] == statuses["二宝"]
    assert (
        lottery.draw(result["groups"], places=3, seed="published-seed", skipped=result["skipped"])
        == result
    )
    lottery_course.refresh_from_db()
    assert lottery_course.lottery_seed == "published-seed" and lottery_course.lottery_drawn_at
    # every family hears the result: 3 places won, 4 on the waiting list
    lottery_notices = Notice.objects.filter(kind=Notice.Kind.LOTTERY)
    assert lottery_notices.count() == 7
    assert lottery_notices.filter(text__contains="候补").count() == 4


def test_a_child_who_already_won_a_clashing_course_is_skipped(parent, child, term, now):
    fcfs = make_course(term, title="英语", slots=[(5, "09:00", "10:00")])
    draw_course = make_course(term, mode=Course.Mode.LOTTERY, slots=[(5, "09:30", "11:00")])
    entry = enrol(parent, draw_course, child)  # applying for clashing lottery courses is allowed
    enrol(parent, fcfs, child)  # ...but now the child holds a clashing place
    with time_machine.travel(AFTER_CLOSE, tick=False):
        result = run_lottery(draw_course)
    entry.refresh_from_db()
    assert entry.status == Enrolment.Status.NOT_PLACED
    assert result["skipped"] == [entry.pk] and result["won"] == []


def test_the_draw_runs_once_and_only_after_sign_up_closes(lottery_course):
    with pytest.raises(EnrolmentError, match="报名截止后"):
        run_lottery(lottery_course)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        run_lottery(lottery_course)
        with pytest.raises(EnrolmentError, match="已经抽过签"):
            run_lottery(lottery_course)
    lottery_course.refresh_from_db()
    assert lottery_course.lottery_seed == "published-seed"  # the committed seed, whoever asks


def test_places_left_after_the_draw_go_first_come_first_served(lottery_course, parent, child):
    with time_machine.travel(AFTER_CLOSE, tick=False):
        run_lottery(lottery_course)
        assert enrol(parent, lottery_course, child).status == Enrolment.Status.ENROLLED


def test_the_published_result_names_no_children(client, lottery_course, parent):
    families = _families(2)
    for p, kid in families:
        enrol(p, lottery_course, kid)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        run_lottery(lottery_course)
    page = client.get(reverse("classes:lottery", args=[lottery_course.pk])).content.decode()
    assert "published-seed" in page
    assert "孩子0" not in page and "孩子1" not in page

    client.force_login(families[0][0])
    page = client.get(reverse("classes:lottery", args=[lottery_course.pk])).content.decode()
    assert "孩子0" in page and "孩子1" not in page  # a parent sees their own entry number


def test_only_classes_staff_can_draw(client, lottery_course, parent, classes_staff):
    url = reverse("classes:lottery-draw", args=[lottery_course.pk])
    with time_machine.travel(AFTER_CLOSE, tick=False):
        client.force_login(parent)
        assert client.post(url).status_code == 403
        lottery_course.refresh_from_db()
        assert lottery_course.lottery_drawn_at is None
        client.force_login(classes_staff)
        response = client.post(url)
    assert response.status_code == 302
    lottery_course.refresh_from_db()
    assert lottery_course.lottery_drawn_at is not None


def test_a_waiting_child_who_won_a_clashing_lottery_is_passed_over(term, now):
    from classes.services import withdraw

    full = make_course(term, title="满员英语", capacity=1, slots=[(5, "09:00", "10:00")])
    draw_course = make_course(term, mode=Course.Mode.LOTTERY, slots=[(5, "09:30", "11:00")])
    first, a, b = (make_user(n) for n in ("甲", "乙", "丙"))
    holder = enrol(first, full, make_child(first, name="甲娃", birth_date=date(2018, 1, 1)))
    a_kid = make_child(a, name="乙娃", birth_date=date(2018, 1, 1))
    enrol(a, draw_course, a_kid)  # in the lottery first...
    a_wait = enrol(a, full, a_kid)  # ...then waiting for the full course
    b_wait = enrol(b, full, make_child(b, name="丙娃", birth_date=date(2018, 1, 1)))
    with time_machine.travel(AFTER_CLOSE, tick=False):
        run_lottery(draw_course)  # 乙娃 wins the clashing course
        promoted = withdraw(first, holder)
    assert promoted == b_wait
    a_wait.refresh_from_db()
    assert a_wait.status == Enrolment.Status.WAITLISTED


def test_siblings_waiting_after_a_draw_are_promoted_together_or_not_at_all(term, now):
    from classes.services import withdraw

    course = make_course(term, mode=Course.Mode.LOTTERY, capacity=2)
    twins_parent, single_parent = make_user("双胞胎家长"), make_user("单亲")
    twins = [
        make_child(twins_parent, name=n, birth_date=date(2018, 5, 5)) for n in ("大宝", "二宝")
    ]
    single = make_child(single_parent, name="独生", birth_date=date(2018, 5, 5))
    holders = [make_user(f"先到{i}") for i in range(2)]
    for p in holders:
        enrol(p, course, make_child(p, name=f"{p.real_name}娃", birth_date=date(2018, 1, 1)))
    for kid in twins:
        enrol(twins_parent, course, kid)
    enrol(single_parent, course, single)
    with time_machine.travel(AFTER_CLOSE, tick=False):
        # Two children already hold both places (as if placed earlier).
        Enrolment.objects.filter(child__name__in=["先到0娃", "先到1娃"]).update(
            status=Enrolment.Status.ENROLLED
        )
        run_lottery(course)  # no places left: everyone else waits
        statuses = dict(course.enrolments.values_list("child__name", "status"))
        assert statuses["大宝"] == statuses["二宝"] == statuses["独生"] == "waitlisted"

        first = course.enrolments.get(child__name="先到0娃")
        promoted = withdraw(first.enrolled_by, first)  # one place: the twins cannot both go
        assert promoted.child == single
        assert set(
            course.enrolments.filter(status="waitlisted").values_list("child__name", flat=True)
        ) == {"大宝", "二宝"}

        second = course.enrolments.get(child__name="先到1娃")
        withdraw(second.enrolled_by, second)  # still one place: the twins keep waiting together
        assert course.enrolments.filter(status="waitlisted").count() == 2

        promoted_back = course.enrolments.get(child=single)
        withdraw(single_parent, promoted_back)  # two places now: the twins go in together
    assert set(course.enrolments.enrolled().values_list("child__name", flat=True)) == {
        "大宝",
        "二宝",
    }
