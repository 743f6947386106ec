"""An activity's calendar file is public: it names no one and gives no mobile number."""

import re

import pytest
from django.urls import reverse

from events import services

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"1[3-9]\d{9}")


def test_the_calendar_file_carries_no_registrants_or_mobiles(client, activity, parent):
    services.register(activity, user=parent, members=[parent.member])

    body = client.get(reverse("events:calendar", args=[activity.pk])).content.decode()

    assert "BEGIN:VEVENT" in body
    assert parent.real_name not in body
    assert not MOBILE.search(body.replace("\r\n ", ""))
