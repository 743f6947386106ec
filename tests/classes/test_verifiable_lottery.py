"""A lottery anyone can check: a commitment published before, the seed after, re-draws public."""

import contextlib
import hashlib
import html
import io
import re
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from classes import lottery
from classes.models import Course, Enrolment, LotteryDraw
from classes.services import EnrolmentError, redraw_lottery, run_lottery, withdraw
from tests.classes.helpers import at, enrol, make_course
from tests.factories import make_child, make_user

AFTER_CLOSE = at(2026, 9, 6, 21, 0)


@pytest.fixture
def lottery_course(now, term):
    return make_course(term, title="热门书法", capacity=2, mode=Course.Mode.LOTTERY)


@pytest.fixture
def entries(lottery_course):
    kids = []
    for i in range(5):
        parent = make_user(f"家长{i}")
        kid = make_child(parent, name=f"抽签娃{i}", birth_date=date(2018, 3, 1))
        kids.append(enrol(parent, lottery_course, kid))
    return kids


def _testid(page: str, testid: str) -> str | None:
    found = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', page)
    return html.unescape(found.group(1)) if found else None


def test_a_lottery_course_commits_to_its_seed_when_it_is_made(lottery_course):
    assert len(lottery_course.lottery_seed) == 32 and lottery_course.lottery_committed_at
    expected = hashlib.sha256(lottery_course.lottery_seed.encode()).hexdigest()
    assert lottery_course.lottery_commitment == expected


def test_the_commitment_is_published_before_the_window_closes_and_the_seed_is_not(
    client, lottery_course, entries
):
    seed, commitment = lottery_course.lottery_seed, lottery_course.lottery_commitment
    for url in (
        lottery_course.get_absolute_url(),
        reverse("classes:lottery", args=[lottery_course.pk]),
    ):
        page = client.get(url).content.decode()
        assert _testid(page, "lottery-commitment") == commitment, url
        assert seed not in page, url


def test_the_seed_is_revealed_after_the_draw_and_has_the_published_fingerprint(
    client, lottery_course, entries
):
    commitment = lottery_course.lottery_commitment
    with time_machine.travel(AFTER_CLOSE, tick=False):
        result = run_lottery(lottery_course)
    page = client.get(reverse("classes:lottery", args=[lottery_course.pk])).content.decode()
    seed = _testid(page, "seed")
    assert seed == result["seed"] == lottery_course.lottery_seed
    assert lottery.commitment(seed) == commitment == _testid(page, "lottery-commitment")
    assert len(result["won"]) == 2


def test_the_published_snippet_recomputes_the_published_result(client, lottery_course, entries):
    with time_machine.travel(AFTER_CLOSE, tick=False):
        result = run_lottery(lottery_course)
    page = client.get(reverse("classes:lottery", args=[lottery_course.pk])).content.decode()
    snippet = re.search(r'data-testid="check-snippet"><code>(.*?)</code>', page, re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(html.unescape(snippet), {})  # noqa: S102 - the code the page asks residents to run
    fingerprint_ok, outcome = out.getvalue().splitlines()
    assert fingerprint_ok == "True"
    assert outcome == f"{result['won']} {result['waiting']}"


def test_the_verify_command_checks_every_published_draw(lottery_course, entries):
    with time_machine.travel(AFTER_CLOSE, tick=False):
        run_lottery(lottery_course)
    out = io.StringIO()
    call_command("verify_lottery", lottery_course.pk, stdout=out)
    assert out.getvalue().strip().endswith("draw 1: ok")


def test_a_redraw_without_a_reason_is_refused(lottery_course, entries, classes_staff):
    with time_machine.travel(AFTER_CLOSE, tick=False):
        first = run_lottery(lottery_course, by=classes_staff)
        for reason in ("", "   "):
            with pytest.raises(EnrolmentError, match="理由"):
                redraw_lottery(lottery_course, by=classes_staff, reason=reason)
    lottery_course.refresh_from_db()
    assert lottery_course.lottery_result == first
    assert LotteryDraw.objects.filter(course=lottery_course).count() == 1


def test_the_redraw_page_refuses_an_empty_reason_and_anyone_but_staff(
    client, lottery_course, entries, classes_staff, parent
):
    url = reverse("classes:lottery-redraw", args=[lottery_course.pk])
    with time_machine.travel(AFTER_CLOSE, tick=False):
        run_lottery(lottery_course, by=classes_staff)
        client.force_login(parent)
        assert client.post(url, {"reason": "我想重抽"}).status_code == 403
        client.force_login(classes_staff)
        response = client.post(url, {"reason": ""}, follow=True)
    assert "理由" in response.content.decode()
    assert LotteryDraw.objects.filter(course=lottery_course).count() == 1


def test_a_redraw_is_recorded_and_shown_publicly_with_the_old_and_new_results(
    client, lottery_course, entries, classes_staff
):
    with time_machine.travel(AFTER_CLOSE, tick=False):
        first = run_lottery(lottery_course, by=classes_staff)
        # A data error: a winner's entry should never have been in the draw.
        winner = Enrolment.objects.get(pk=first["won"][0])
        withdraw(winner.enrolled_by, winner)
        client.force_login(classes_staff)
        response = client.post(
            reverse("classes:lottery-redraw", args=[lottery_course.pk]),
            {"reason": "一名报名重复登记，已撤销"},
        )
    assert response.status_code == 302
    draws = list(LotteryDraw.objects.filter(course=lottery_course).order_by("number"))
    assert [d.number for d in draws] == [1, 2]
    assert draws[1].reason == "一名报名重复登记，已撤销" and draws[1].drawn_by == classes_staff
    assert draws[1].seed == draws[0].seed == lottery_course.lottery_seed  # no new seed
    second = draws[1].result
    assert winner.pk not in sum(second["groups"], [])
    assert len(second["won"]) == 2
    placed = set(
        Enrolment.objects.filter(course=lottery_course, status="enrolled").values_list(
            "pk", flat=True
        )
    )
    assert placed == set(second["won"])

    client.logout()
    page = client.get(reverse("classes:lottery", args=[lottery_course.pk])).content.decode()
    section = page.split('data-testid="redraw"')[1]
    assert "一名报名重复登记，已撤销" in section
    assert str(first["won"]) in section and str(second["won"]) in section
    out = io.StringIO()
    call_command("verify_lottery", lottery_course.pk, stdout=out)
    assert out.getvalue().count(": ok") == 2


def test_a_draw_record_cannot_be_rewritten(lottery_course, entries):
    from portal.ledgers import AppendOnlyError

    with time_machine.travel(AFTER_CLOSE, tick=False):
        run_lottery(lottery_course)
    draw = LotteryDraw.objects.get()
    draw.result = {"won": []}
    with pytest.raises(AppendOnlyError):
        draw.save()


@pytest.mark.postgres
def test_postgresql_refuses_swapping_a_committed_seed(lottery_course):
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE classes_course SET lottery_seed = 'chosen-later' WHERE id = %s",
                [lottery_course.pk],
            )
    lottery_course.refresh_from_db()
    assert lottery.commitment(lottery_course.lottery_seed) == lottery_course.lottery_commitment


def test_a_redraw_leaves_alone_a_child_who_enrolled_again_since(
    lottery_course, entries, classes_staff
):
    with time_machine.travel(AFTER_CLOSE, tick=False):
        first = run_lottery(lottery_course, by=classes_staff)
        passed_over = Enrolment.objects.get(pk=first["waiting"][0])
        Enrolment.objects.filter(pk=passed_over.pk).update(status="not_placed")
        again = Enrolment.objects.create(
            course=lottery_course,
            child=passed_over.child,
            status="waitlisted",
            pickup_people="妈妈",
        )
        second = redraw_lottery(lottery_course, by=classes_staff, reason="核对报名后重抽")
    assert passed_over.pk not in sum(second["groups"], [])
    again.refresh_from_db()
    passed_over.refresh_from_db()
    assert (again.status, passed_over.status) == ("waitlisted", "not_placed")


@pytest.mark.parametrize("redraws", [0, 3], ids=["first-draw", "three-redraws"])
def test_the_lottery_page_runs_a_fixed_number_of_queries(
    client, lottery_course, entries, classes_staff, django_assert_max_num_queries, redraws
):
    with time_machine.travel(AFTER_CLOSE, tick=False):
        run_lottery(lottery_course, by=classes_staff)
        for i in range(redraws):
            redraw_lottery(lottery_course, by=classes_staff, reason=f"第{i + 1}次核对")
    client.force_login(entries[0].enrolled_by)
    url = reverse("classes:lottery", args=[lottery_course.pk])
    client.get(url)  # warm the session and user caches
    with django_assert_max_num_queries(6):
        page = client.get(url).content.decode()
    assert page.count('data-testid="redraw"') == redraws
