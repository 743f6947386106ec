"""The roster's "message this course's parents": a preview with the recipients per channel and
the text's segments, then the worker tells each parent once (portal.broadcasts)."""

import pytest
from django.urls import reverse

from classes import services
from portal.models import Broadcast, Notice
from tests.classes.helpers import enrol, make_course
from tests.factories import make_child, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def families(now, course, term):
    """Two children of one parent enrolled, another parent's child waiting, a third parent's
    child withdrawn (not told), and a parent of another course (not told)."""
    course.capacity = 2
    course.save()
    twins_parent = make_user("王妈妈", mobile_verified=True)
    waiting_parent = make_user("李爸爸", email="li@example.org")
    gone_parent = make_user("赵奶奶")
    enrol(twins_parent, course, make_child(twins_parent, "王一"))
    enrol(twins_parent, course, make_child(twins_parent, "王二"))
    enrol(waiting_parent, course, make_child(waiting_parent, "李三"))
    gone = enrol(gone_parent, course, make_child(gone_parent, "赵四"))
    services.withdraw(gone_parent, gone)
    other_parent = make_user("钱爸爸")
    enrol(other_parent, make_course(term), make_child(other_parent, "钱五"))
    return twins_parent, waiting_parent


def url(course):
    return reverse("classes:message-parents", args=[course.pk])


def test_the_roster_offers_the_message_box(client, classes_staff, course):
    client.force_login(classes_staff)
    page = client.get(reverse("classes:roster", args=[course.pk])).content.decode()
    assert url(course) in page and 'name="text"' in page


def test_the_preview_counts_each_parent_once_and_sends_nothing(
    client, classes_staff, course, families
):
    client.force_login(classes_staff)
    response = client.post(url(course), {"text": "明天请带彩笔"})

    assert response.status_code == 200
    assert response.context["counts"] == {"inbox": 2, "sms": 1, "email": 1}
    assert response.context["segments"] == 1
    assert not Broadcast.objects.exists()


def test_confirming_tells_the_enrolled_and_waiting_parents_once_in_the_background(
    client, classes_staff, course, families, django_capture_on_commit_callbacks
):
    twins_parent, waiting_parent = families
    client.force_login(classes_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(course), {"text": "明天请带彩笔", "confirm": "True"})

    broadcast = Broadcast.objects.get()
    assert response["Location"] == reverse("broadcast-progress", args=[broadcast.pk])
    assert broadcast.source == "classes"
    told = Notice.objects.filter(text__contains="明天请带彩笔")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [twins_parent.pk, waiting_parent.pk]
    )
    assert course.title in told.get(recipient=twins_parent).text


def test_the_course_teacher_may_write_to_their_parents_but_not_another_teacher(
    client, course, families, teacher_user, other_teacher
):
    client.force_login(other_teacher.user)
    assert client.post(url(course), {"text": "你好"}).status_code in (403, 404)
    client.force_login(teacher_user)
    assert client.post(url(course), {"text": "你好"}).status_code == 200


def test_residents_cannot_write_to_a_course(client, course, families):
    twins_parent, _ = families
    client.force_login(twins_parent)
    response = client.post(url(course), {"text": "广告", "confirm": "True"})
    assert response.status_code in (403, 404)
    assert not Broadcast.objects.exists()


def test_a_get_is_refused(client, classes_staff, course):
    client.force_login(classes_staff)
    assert client.get(url(course)).status_code == 405
