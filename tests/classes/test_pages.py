"""Public classroom pages and My children's classes: filters, places left, privacy, speed."""

from datetime import date, time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classes.models import Attendance, ClassSession, Enrolment, Term
from classes.services import reset_calendar_token, take_register
from tests.classes.helpers import at, enrol, make_course
from tests.factories import make_child, make_user
from tests.pagecache import modules_changed

pytestmark = pytest.mark.usefixtures("now")


def feed_token(user) -> str:
    return reset_calendar_token(user).token


def _titles(response):
    return [c.title for c in response.context["courses"]]


def _queries(client, url, params=None) -> int:
    modules_changed()  # measured as after any write: nothing of the page kept
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_shows_places_left(client, parent, child, term):
    course = make_course(term, title="英语启蒙", capacity=3)
    enrol(parent, course, child)
    response = client.get(reverse("classes:index"))
    assert response.context["courses"][0].places_left == 2
    assert 'data-testid="places-left"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"age": 5}, ["乐高"]),
        ({"age": 10}, ["书法", "英语"]),
        ({"weekday": 2}, ["英语"]),
        ({"subject": "calligraphy"}, ["书法"]),
        ({"age": 10, "weekday": 5}, ["书法"]),
    ],
    ids=["age-5", "age-10", "wednesday", "calligraphy", "age-and-saturday"],
)
def test_filters(client, term, query, expected):
    make_course(term, title="乐高", subject="lego", age_min=5, age_max=7)
    make_course(
        term, title="英语", subject="english", age_min=8, age_max=12, slots=[(2, "16:00", "17:00")]
    )
    make_course(
        term,
        title="书法",
        subject="calligraphy",
        age_min=9,
        age_max=12,
        slots=[(5, "14:00", "15:00")],
    )
    assert sorted(_titles(client.get(reverse("classes:index"), query))) == sorted(expected)


def test_courses_my_child_can_join_uses_age_on_the_first_day_of_term(client, parent, term):
    kid = make_child(parent, name="小雨", birth_date=date(2020, 9, 8))  # 5 on 7 Sep, 6 next day
    make_course(term, title="六岁起", age_min=6, age_max=9)
    make_course(term, title="五岁起", age_min=5, age_max=6)
    client.force_login(parent)
    response = client.get(reverse("classes:index"), {"child": kid.pk})
    assert _titles(response) == ["五岁起"]


def test_another_households_child_is_not_a_filter_choice(client, parent, resident, term):
    stranger = make_child(resident, name="别家孩子", birth_date=date(2018, 1, 1))
    make_course(term)
    client.force_login(parent)
    response = client.get(reverse("classes:index"), {"child": stranger.pk})
    assert "别家孩子" not in response.content.decode()
    assert response.context["chosen_child"] is None


def test_public_pages_show_no_children(client, parent, child, course, teacher_user):
    enrol(parent, course, child)
    session = course.sessions.first()
    with time_machine.travel(at(2026, 9, 12, 11, 0), tick=False):
        e = course.enrolments.get()
        take_register(session, {e.pk: ("present", "")}, by=teacher_user)
    for url in (
        reverse("classes:index"),
        course.get_absolute_url(),
        reverse("fund:index"),
        reverse("home"),
    ):
        page = client.get(url).content.decode()
        assert "张小明" not in page and "2018" not in page, url
        assert parent.mobile not in page


def test_the_classroom_shows_the_all_time_class_hours(client, parent, child, course, teacher_user):
    e = enrol(parent, course, child)
    with time_machine.travel(at(2026, 9, 30, 12, 0), tick=False):
        for session in course.sessions.filter(date__lte=date(2026, 9, 30)):
            take_register(session, {e.pk: ("present", "")}, by=teacher_user)
    response = client.get(reverse("classes:index"))
    # Three Saturdays of 90 minutes in September after the term began.
    assert response.context["totals"]["hours"] == 3 * ClassSession.objects.first().hours
    assert response.context["totals"]["children"] == 1
    assert 'data-testid="total-hours">4.5<' in response.content.decode()


def test_the_course_list_runs_a_fixed_number_of_queries(client, parent, term):
    make_course(term, title="课00")
    kid = make_child(parent, name="小明", birth_date=date(2018, 1, 1))
    client.force_login(parent)
    client.get(reverse("classes:index"))  # the session and the community, read once
    few = _queries(client, reverse("classes:index"))
    for_child = {"child": kid.pk, "subject": "lego"}
    few_for_child = _queries(client, reverse("classes:index"), for_child)
    for i in range(1, 60):
        make_course(term, title=f"课{i:02d}", slots=[(i % 7, "09:00", "10:00")])
    assert _queries(client, reverse("classes:index")) == few <= 12
    assert _queries(client, reverse("classes:index"), for_child) == few_for_child
    assert len(client.get(reverse("classes:index")).context["courses"]) == 60


def test_the_filters_keep_the_choices_and_show_a_wrong_age(client, parent, term):
    make_child(parent, name="小明", birth_date=date(2018, 1, 1))
    make_course(term, title="乐高")
    client.force_login(parent)
    page = client.get(
        reverse("classes:index"), {"weekday": "2", "subject": "lego", "age": "abc"}
    ).content.decode()
    assert '<option value="2" selected>星期三</option>' in page
    assert '<option value="lego" selected>乐高</option>' in page
    assert '<option value="" selected>不限孩子</option>' in page
    assert 'class="numberinput form-control is-invalid" aria-invalid="true"' in page
    assert "输入整数" in page
    page = client.get(reverse("classes:index"), {"age": "7"}).content.decode()
    assert 'name="age" value="7" min="0" max="18"' in page and "is-invalid" not in page


def test_my_classes_shows_timetable_attendance_notes_and_notices(
    client, parent, child, course, teacher_user
):
    e = enrol(parent, course, child)
    first = course.sessions.first()
    with time_machine.travel(at(2026, 9, 12, 11, 0), tick=False):
        take_register(first, {e.pk: ("late", "迟到十分钟")}, by=teacher_user, notes="学会了齿轮")
        client.force_login(parent)
        page = client.get(reverse("classes:mine")).content.decode()
    assert "乐高搭建" in page and "张小明" in page
    assert "迟到十分钟" in page and "学会了齿轮" in page
    assert page.count('data-testid="my-session"') >= 10
    assert "退课" in page and "撤回" not in page  # not the events catalogue's "withdraw"


def test_my_classes_runs_a_fixed_number_of_queries(client, parent, term):
    kids = [make_child(parent, name=f"孩子{i}", birth_date=date(2018, 1, 1)) for i in range(4)]
    enrol(parent, make_course(term, slots=[(0, "09:00", "10:00")], sessions=True), kids[0])
    client.force_login(parent)
    client.get(reverse("classes:mine"))  # the session and the community, read once
    one = _queries(client, reverse("classes:mine"))
    for i, kid in enumerate(kids):
        for j in range(1, 6):
            slot = (j, f"{9 + i:02d}:00", f"{9 + i:02d}:30")
            course = make_course(term, slots=[slot], sessions=True)
            enrol(parent, course, kid)
    assert _queries(client, reverse("classes:mine")) == one <= 10
    modules_changed()  # made again, with its context
    response = client.get(reverse("classes:mine"))
    assert len(response.context["enrolments"]) == 21
    assert len(response.context["sessions"]) == 30


def _past_enrolments(parent, kid, terms=1, courses=1):
    """Enrolments with a register each in `terms` terms that ended before NOW (written directly:
    their enrolment windows closed long ago)."""
    made = []
    for t in range(terms):
        year = 2025 - t
        past = Term.objects.create(
            name=f"{year}年春季", starts_on=date(year, 3, 1), ends_on=date(year, 6, 30)
        )
        for c in range(courses):
            course = make_course(past, title=f"旧课{year}-{c}")
            session = ClassSession.objects.create(
                course=course, date=date(year, 3, 7), starts_at=time(9), ends_at=time(10)
            )
            e = Enrolment.objects.create(
                course=course,
                child=kid,
                enrolled_by=parent,
                status=Enrolment.Status.ENROLLED,
                pickup_people="张妈妈",
            )
            Attendance.objects.create(session=session, enrolment=e, mark="present", note="旧备注")
            made.append(e)
    return made


def test_my_classes_folds_the_earlier_terms_away(client, parent, child, course):
    enrol(parent, course, child)
    _past_enrolments(parent, child, terms=2)
    client.force_login(parent)
    page = client.get(reverse("classes:mine")).content.decode()
    assert page.count('data-testid="my-enrolment"') == 1 and "乐高搭建" in page
    assert "旧课2025-0" not in page and "旧备注" not in page
    assert 'href="?past=1"' in page.split('data-testid="past-terms"')[1]
    page = client.get(reverse("classes:mine"), {"past": "1"}).content.decode()
    assert page.count('data-testid="my-enrolment"') == 3 and "旧备注" in page
    assert 'data-testid="past-terms"' not in page
    # newest term first
    assert page.index("乐高搭建") < page.index("旧课2025-0") < page.index("旧课2024-0")


def test_my_classes_with_only_earlier_terms_offers_them(client, parent, child):
    _past_enrolments(parent, child)
    client.force_login(parent)
    page = client.get(reverse("classes:mine")).content.decode()
    assert 'data-testid="my-enrolment"' not in page and 'href="?past=1"' in page
    assert f'href="{reverse("household")}"' not in page  # the household has a child


def test_my_classes_queries_do_not_grow_with_the_earlier_terms(client, parent, child, course):
    enrol(parent, course, child)
    _past_enrolments(parent, child)
    client.force_login(parent)
    client.get(reverse("classes:mine"))
    one = _queries(client, reverse("classes:mine"))
    one_in_full = _queries(client, reverse("classes:mine"), {"past": "1"})
    _past_enrolments(parent, child, terms=3, courses=3)  # three more terms, nine courses
    assert _queries(client, reverse("classes:mine")) == one == one_in_full
    assert _queries(client, reverse("classes:mine"), {"past": "1"}) == one_in_full


def test_my_classes_asks_to_add_a_child_only_when_there_is_none(client, parent):
    client.force_login(parent)
    link = f'href="{reverse("household")}"'
    assert link in client.get(reverse("classes:mine")).content.decode()
    make_child(parent, name="小雨", birth_date=date(2019, 3, 3))
    assert link not in client.get(reverse("classes:mine")).content.decode()


def test_two_children_in_one_course_each_have_the_sessions(client, parent, child, course):
    sister = make_child(parent, name="张小红", birth_date=date(2018, 3, 1))
    enrol(parent, course, child)
    enrol(parent, course, sister)
    client.force_login(parent)
    sessions = client.get(reverse("classes:mine")).context["sessions"]
    assert len(sessions) == min(30, 2 * course.sessions.count())
    first, second = sessions[:2]
    assert first[0] == second[0] and {first[1].child, second[1].child} == {child, sister}
    feed = client.get(reverse("classes:calendar", args=[feed_token(parent)])).content.decode()
    assert feed.count("BEGIN:VEVENT") == 2 * course.sessions.count()


def test_my_classes_shows_only_my_household(client, parent, child, resident, course):
    enrol(parent, course, child)
    client.force_login(resident)
    page = client.get(reverse("classes:mine")).content.decode()
    assert "张小明" not in page


def test_the_calendar_feed_lists_the_childrens_sessions(client, parent, child, course):
    enrol(parent, course, child)
    response = client.get(reverse("classes:calendar", args=[feed_token(parent)]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == course.sessions.count()
    assert "乐高搭建" in body


def test_a_forged_calendar_token_is_refused(client, parent):
    assert client.get(reverse("classes:calendar", args=["forged:token"])).status_code == 404
    other = make_user("别人")
    token = feed_token(other)
    assert client.get(reverse("classes:calendar", args=[token[:-2] + "xx"])).status_code == 404


def test_the_home_section_counts_hours_in_a_few_queries(
    community, parent, child, course, django_assert_max_num_queries
):
    from django.test import RequestFactory

    from classes.home import section

    enrol(parent, course, child)
    request = RequestFactory().get("/")
    request.user = parent
    with django_assert_max_num_queries(5):
        ctx = section(request)
    assert ctx["open_courses"] == 1 and ctx["next_session"].course == course
    assert (ctx["age_min"], ctx["age_max"]) == (5, 12)
    assert ctx["teaches"] is False


def test_the_home_page_shows_the_classroom(client, parent, child, course):
    enrol(parent, course, child)
    client.force_login(parent)
    page = client.get(reverse("home")).content.decode()
    assert 'id="home-classes"' in page and "乐高搭建" in page


def test_unpublished_courses_and_non_lottery_draws_are_not_found(client, parent, term):
    hidden = make_course(term, is_published=False)
    plain = make_course(term)
    client.force_login(parent)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("classes:enrol", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("classes:lottery", args=[plain.pk])).status_code == 404
    assert hidden not in client.get(reverse("classes:index")).context["courses"]


def test_pages_speak_chinese_first_and_english_on_request(client, classes_staff, course):
    session = course.sessions.first()
    client.force_login(classes_staff)
    zh = client.get(reverse("classes:register", args=[session.pk])).content.decode()
    assert "点名" in zh and ">Register<" not in zh
    client.cookies["portal_language"] = "en"
    en = client.get(reverse("classes:register", args=[session.pk])).content.decode()
    assert "Register" in en and "点名" not in en
    assert "Neighbour Classroom" in client.get(reverse("classes:index")).content.decode()
