"""The private calendar link of my children's classes: made on request, revocable, no mobiles."""

import re
from datetime import date

import pytest
from django.core import signing
from django.urls import reverse

from classes.models import CalendarLink
from classes.services import reset_calendar_token
from portal.models import HouseholdMember
from tests.classes.helpers import enrol
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]

MOBILE = re.compile(r"1[3-9]\d{9}")


def feed(client, token):
    return client.get(reverse("classes:calendar", args=[token]))


def test_opening_my_classes_makes_no_link(client, parent):
    client.force_login(parent)

    html = client.get(reverse("classes:mine")).content.decode()

    assert not CalendarLink.objects.exists()
    assert reverse("classes:calendar-reset") in html


def test_a_parent_makes_a_link_and_subscribes_to_it(client, parent, child, course):
    enrol(parent, course, child)
    client.force_login(parent)

    response = client.post(reverse("classes:calendar-reset"))

    assert response.status_code == 302
    assert response.url == reverse("classes:mine")
    token = CalendarLink.objects.get(user=parent).token
    assert len(token) >= 40
    assert token in client.get(reverse("classes:mine")).content.decode()
    body = feed(client, token).content.decode()
    assert body.count("BEGIN:VEVENT") == course.sessions.count()


def test_resetting_the_link_turns_off_the_old_one(client, parent, child, course):
    enrol(parent, course, child)
    old = reset_calendar_token(parent).token
    client.force_login(parent)
    client.cookies["portal_language"] = "en"

    response = client.post(reverse("classes:calendar-reset"), follow=True)

    new = CalendarLink.objects.get(user=parent).token
    assert new != old
    assert "old link no longer works" in response.content.decode()
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_the_reset_is_a_post_for_a_logged_in_parent_only(client, parent):
    assert client.post(reverse("classes:calendar-reset")).status_code == 302  # to log in
    client.force_login(parent)
    assert client.get(reverse("classes:calendar-reset")).status_code == 405
    assert not CalendarLink.objects.exists()


def test_the_old_signed_addresses_no_longer_open_a_feed(client, parent):
    reset_calendar_token(parent)
    signed = signing.Signer(salt="classes.calendar").sign_object({"u": parent.pk})

    assert feed(client, signed).status_code == 404


@pytest.mark.parametrize(
    "token", ["guess", "x" * 500, "%00", "a.b"], ids=["guess", "long", "nul", "dots"]
)
def test_a_wrong_token_is_a_404(client, parent, token):
    reset_calendar_token(parent)

    assert feed(client, token).status_code == 404


def test_a_deactivated_account_has_no_feed(client, parent):
    token = reset_calendar_token(parent).token
    parent.is_active = False
    parent.save(update_fields=["is_active"])

    assert feed(client, token).status_code == 404


def test_the_feed_carries_no_mobile_number(client, parent, course):
    # A child with an account of their own and no real name: `full_name` falls back to the
    # account's mobile, which must not reach the feed.
    teen = make_user("", mobile="13700001234", role_list=[])
    teen.real_name = ""
    teen.save(update_fields=["real_name"])
    member = HouseholdMember.objects.create(
        household=parent.household,
        user=None,
        name="张小明",
        relation="child",
        birth_date=date(2018, 9, 1),
    )
    enrol(parent, course, member)
    HouseholdMember.objects.filter(user=teen).delete()  # their own household's row
    HouseholdMember.objects.filter(pk=member.pk).update(name="", user=teen)
    token = reset_calendar_token(parent).token

    body = feed(client, token).content.decode()

    assert "BEGIN:VEVENT" in body
    assert not MOBILE.search(body.replace("\r\n ", "")), body
    assert parent.mobile not in body
