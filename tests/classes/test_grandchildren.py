"""Any child of the right age in the household can be enrolled by its adults.

Only members recorded as the account holder's "child" could be enrolled, so a grandmother
bringing her grandson (孙辈) was told to add a child first, and so was staff enrolling for her.
"""

from datetime import date

import pytest
from django.urls import reverse

from classes import services
from classes.models import Enrolment
from portal import services as portal_services
from portal.models import HouseholdMember
from tests.classes.helpers import enrol

pytestmark = pytest.mark.usefixtures("now")

ENROL_FORM = {"photo_consent": "yes", "pickup_people": "刘奶奶（奶奶）"}


def add(user, name, relation, born):
    return portal_services.add_member(user, name=name, relation=relation, birth_date=born)


@pytest.fixture
def grandson(elder):
    return add(elder, "刘小宝", HouseholdMember.Relation.GRANDCHILD, date(2018, 3, 3))


def test_a_grandparent_enrols_her_grandson(client, elder, grandson, course):
    client.force_login(elder)
    page = client.get(reverse("classes:enrol", args=[course.pk])).content.decode()
    assert "刘小宝" in page
    response = client.post(
        reverse("classes:enrol", args=[course.pk]), {"child": grandson.pk, **ENROL_FORM}
    )
    assert response.status_code == 302
    e = Enrolment.objects.get()
    assert (e.child, e.enrolled_by) == (grandson, elder)


def test_staff_enrol_a_grandchild_on_the_guardians_behalf(
    client, classes_staff, elder, grandson, course
):
    client.force_login(classes_staff)
    url = reverse("classes:enrol-for-parent", args=[course.pk])
    assert "刘小宝" in client.get(url, {"mobile": elder.mobile}).content.decode()
    response = client.post(f"{url}?mobile={elder.mobile}", {"child": grandson.pk, **ENROL_FORM})
    assert response.status_code == 302
    assert Enrolment.objects.get().child == grandson


def test_a_young_member_recorded_as_other_is_a_child_of_the_household(elder, course):
    nephew = add(elder, "外甥", HouseholdMember.Relation.OTHER, date(2017, 1, 1))
    assert enrol(elder, course, nephew).child == nephew


@pytest.mark.parametrize(
    ("relation", "born"),
    [
        (HouseholdMember.Relation.SPOUSE, date(1950, 1, 1)),
        (HouseholdMember.Relation.PARENT, date(1930, 1, 1)),
        (HouseholdMember.Relation.OTHER, date(1990, 1, 1)),
    ],
    ids=["spouse", "parent", "adult-other"],
)
def test_adults_of_the_household_are_not_offered_as_children(elder, course, relation, born):
    adult = add(elder, "大人", relation, born)
    with pytest.raises(services.EnrolmentError):
        enrol(elder, course, adult)
    assert not Enrolment.objects.exists()


def test_a_grandchild_of_another_household_cannot_be_enrolled(client, resident, grandson, course):
    client.force_login(resident)
    response = client.post(
        reverse("classes:enrol", args=[course.pk]), {"child": grandson.pk, **ENROL_FORM}
    )
    assert response.status_code == 200
    assert not Enrolment.objects.exists()


def test_the_household_form_asks_a_grandchilds_birth_date(client, elder):
    client.force_login(elder)
    response = client.post(
        reverse("household"), {"name": "刘小宝", "relation": "grandchild", "birth_date": ""}
    )
    assert response.status_code == 200
    assert not HouseholdMember.objects.filter(name="刘小宝").exists()
