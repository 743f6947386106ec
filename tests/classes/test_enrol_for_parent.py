"""Staff enrol a child for a parent who phones in: same rules, staff only."""

from datetime import date

import pytest
from django.urls import reverse

from classes.models import Enrolment
from tests.factories import make_child

pytestmark = pytest.mark.usefixtures("now")


def test_staff_find_the_family_by_mobile_and_enrol_the_child(
    client, classes_staff, parent, child, course
):
    client.force_login(classes_staff)
    url = reverse("classes:enrol-for-parent", args=[course.pk])
    page = client.get(url, {"mobile": parent.mobile}).content.decode()
    assert "张小明" in page and parent.masked_mobile in page
    response = client.post(
        f"{url}?mobile={parent.mobile}",
        {"child": child.pk, "photo_consent": "no", "pickup_people": "张奶奶"},
    )
    assert response.status_code == 302
    e = Enrolment.objects.get()
    assert (e.child, e.enrolled_by, e.status, e.photo_consent) == (child, parent, "enrolled", False)


def test_the_same_rules_apply_for_staff(client, classes_staff, parent, term):
    from tests.classes.helpers import make_course

    course = make_course(term, age_min=6, age_max=9)
    toddler = make_child(parent, name="小宝", birth_date=date(2023, 1, 1))
    client.force_login(classes_staff)
    url = reverse("classes:enrol-for-parent", args=[course.pk])
    response = client.post(
        f"{url}?mobile={parent.mobile}",
        {"child": toddler.pk, "photo_consent": "yes", "pickup_people": "张妈妈"},
    )
    assert response.status_code == 200 and "小宝" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_unknown_mobile_and_non_staff(client, classes_staff, parent, teacher_user, course):
    url = reverse("classes:enrol-for-parent", args=[course.pk])
    client.force_login(classes_staff)
    assert "没有居民使用这个手机号" in client.get(url, {"mobile": "139 9999 9999"}).content.decode()
    for user in (parent, teacher_user):
        client.force_login(user)
        assert client.get(url, {"mobile": parent.mobile}).status_code == 403
