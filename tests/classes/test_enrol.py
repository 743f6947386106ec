"""Enrolling a child: age on the term's first day, clashes, the window, waiting list, promotion."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from classes.models import Enrolment, VolunteerOffer
from classes.services import EnrolmentError
from portal.models import Notice
from tests.classes.helpers import at, enrol, make_course
from tests.factories import make_child, make_user

pytestmark = pytest.mark.usefixtures("now")


@pytest.mark.parametrize(
    ("born", "accepted"),
    [
        (date(2020, 9, 8), False),  # 5 on 7 Sep 2026, turns 6 the day after
        (date(2020, 9, 7), True),  # turns 6 on the first day of term
        (date(2016, 9, 8), True),  # still 9 on the first day of term
        (date(2016, 9, 7), False),  # turns 10 on the first day of term
    ],
    ids=["a-day-too-young", "youngest-on-first-day", "oldest-until-first-day", "a-day-too-old"],
)
def test_age_on_the_terms_first_day_decides(parent, term, born, accepted):
    course = make_course(term, age_min=6, age_max=9)
    kid = make_child(parent, name="小孩", birth_date=born)
    if accepted:
        assert enrol(parent, course, kid).status == Enrolment.Status.ENROLLED
    else:
        with pytest.raises(EnrolmentError, match="面向 6 至 9 岁"):
            enrol(parent, course, kid)
        assert not Enrolment.objects.exists()


def test_it_refuses_a_course_whose_sessions_overlap_another(parent, child, term):
    lego = make_course(term, title="乐高", slots=[(5, "09:00", "10:30")])
    english = make_course(term, title="英语", slots=[(5, "10:00", "11:00")])
    enrol(parent, lego, child)
    with pytest.raises(EnrolmentError, match="乐高"):
        enrol(parent, english, child)
    assert not english.enrolments.exists()


def test_back_to_back_sessions_do_not_clash(parent, child, term):
    first = make_course(term, slots=[(5, "09:00", "10:30")])
    second = make_course(term, slots=[(5, "10:30", "12:00")])
    enrol(parent, first, child)
    assert enrol(parent, second, child).status == Enrolment.Status.ENROLLED


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (at(2026, 9, 2, 9, 0), at(2026, 9, 6, 20, 0), "报名将于"),
        (at(2026, 8, 20, 9, 0), at(2026, 9, 1, 10, 0), "已截止"),
    ],
    ids=["before-opening", "at-closing-time"],
)
def test_it_refuses_enrolment_outside_the_window(parent, child, term, opens, closes, message):
    course = make_course(term, opens=opens, closes=closes)
    with pytest.raises(EnrolmentError, match=message):
        enrol(parent, course, child)
    assert not Enrolment.objects.exists()


def test_a_child_cannot_be_enrolled_twice_in_one_course(parent, child, course):
    enrol(parent, course, child)
    with pytest.raises(EnrolmentError, match="已经报名"):
        enrol(parent, course, child)
    assert course.enrolments.count() == 1


def test_only_children_of_my_household_can_be_enrolled(parent, child, resident, course):
    with pytest.raises(EnrolmentError, match="本户的孩子"):
        enrol(resident, course, child)
    with pytest.raises(EnrolmentError, match="本户的孩子"):
        enrol(parent, course, parent.member)  # a parent is not a child


def test_pickup_people_are_required(parent, child, course):
    with pytest.raises(EnrolmentError, match="接送"):
        enrol(parent, course, child, pickup_people="  ")


def test_a_full_course_puts_the_child_on_the_waiting_list(parent, child, term):
    course = make_course(term, capacity=1)
    other = make_user("李爸爸")
    enrol(other, course, make_child(other, name="李小红", birth_date=date(2018, 1, 1)))
    assert enrol(parent, course, child).status == Enrolment.Status.WAITLISTED


def test_a_withdrawal_promotes_the_first_waiting_child_and_tells_the_parent(term):
    course = make_course(term, title="书法", capacity=1)
    families = [make_user(f"家长{i}", email=f"p{i}@example.com") for i in range(3)]
    kids = [
        make_child(p, name=f"孩子{i}", birth_date=date(2018, 1, 1)) for i, p in enumerate(families)
    ]
    first, second, third = (enrol(p, course, k) for p, k in zip(families, kids, strict=True))
    assert [second.status, third.status] == ["waitlisted", "waitlisted"]

    from classes.services import withdraw

    promoted = withdraw(families[0], first)

    assert promoted.pk == second.pk
    second.refresh_from_db()
    third.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status, third.status) == ("withdrawn", "enrolled", "waitlisted")
    notice = Notice.objects.get(recipient=families[1])
    assert notice.kind == Notice.Kind.PROMOTED and "孩子1" in notice.text


def test_promotion_mail_is_sent_after_commit(term, django_capture_on_commit_callbacks):
    course = make_course(term, title="书法", capacity=1)
    a, b = make_user("甲", email="a@example.com"), make_user("乙", email="b@example.com")
    ea = enrol(a, course, make_child(a, name="甲娃", birth_date=date(2018, 1, 1)))
    enrol(b, course, make_child(b, name="乙娃", birth_date=date(2018, 1, 1)))
    from classes.services import withdraw

    with django_capture_on_commit_callbacks(execute=True):
        withdraw(a, ea)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["b@example.com"] and "书法" in mail.outbox[0].subject


def test_withdrawing_twice_is_refused(parent, child, course):
    from classes.services import withdraw

    e = enrol(parent, course, child)
    withdraw(parent, e)
    with pytest.raises(EnrolmentError, match="已经退课"):
        withdraw(parent, e)


# Views --------------------------------------------------------------------------------------


def _form(child, **extra):
    return {"child": child.pk, "photo_consent": "yes", "pickup_people": "张妈妈", **extra}


def test_parent_enrols_a_child_through_the_form(client, parent, child, course):
    client.force_login(parent)
    response = client.post(reverse("classes:enrol", args=[course.pk]), _form(child))
    assert response.status_code == 302 and response.url == reverse("classes:mine")
    e = Enrolment.objects.get()
    assert (e.child, e.status, e.photo_consent, e.enrolled_by) == (child, "enrolled", True, parent)


def test_the_form_shows_a_refusal_and_changes_nothing(client, parent, term):
    too_young = make_child(parent, name="小妹", birth_date=date(2022, 1, 1))
    course = make_course(term, age_min=6, age_max=9)
    client.force_login(parent)
    response = client.post(reverse("classes:enrol", args=[course.pk]), _form(too_young))
    assert response.status_code == 200
    assert "小妹" in response.content.decode() and "6" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_the_form_offers_only_my_own_children(client, parent, child, resident, course):
    stranger = make_child(resident, name="别人家", birth_date=date(2018, 1, 1))
    client.force_login(parent)
    page = client.get(reverse("classes:enrol", args=[course.pk])).content.decode()
    assert "张小明" in page and "别人家" not in page
    response = client.post(reverse("classes:enrol", args=[course.pk]), _form(stranger))
    assert response.status_code == 200
    assert not Enrolment.objects.exists()


def test_enrolment_needs_a_login(client, course):
    response = client.get(reverse("classes:enrol", args=[course.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_offering_to_volunteer_is_recorded(client, parent, child, course):
    client.force_login(parent)
    client.post(
        reverse("classes:enrol", args=[course.pk]),
        _form(child, volunteer="on", volunteer_message="周六可以帮忙"),
    )
    offer = VolunteerOffer.objects.get()
    assert offer.user == parent and offer.message == "周六可以帮忙"
    assert offer.enrolment == Enrolment.objects.get()
    # ...and reaches the volunteer coordinator as an application (the volunteers module).
    from volunteers.models import Membership

    application = Membership.objects.get(user=parent)
    assert application.team is None and application.message == "周六可以帮忙"
    assert offer.forwarded


def test_parent_withdraws_through_my_classes(client, parent, child, course):
    e = enrol(parent, course, child)
    client.force_login(parent)
    response = client.post(reverse("classes:withdraw", args=[e.pk]))
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.status == Enrolment.Status.WITHDRAWN


def test_nobody_else_can_withdraw_my_child(client, parent, child, resident, course):
    e = enrol(parent, course, child)
    client.force_login(resident)
    assert client.post(reverse("classes:withdraw", args=[e.pk])).status_code == 404
    assert client.get(reverse("classes:withdraw", args=[e.pk])).status_code == 405
    e.refresh_from_db()
    assert e.status == Enrolment.Status.ENROLLED
