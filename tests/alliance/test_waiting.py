"""A new request waits for alliance staff: in their inbox and on their home page, only theirs."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from alliance.home import section
from portal.models import Notice
from tests.alliance.helpers import make_need
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_new_request_reaches_alliance_staff_and_nobody_else(now, staff, asker, events_staff):
    need = make_need(asker)
    [notice] = Notice.objects.filter(recipient=staff, kind=Notice.Kind.TO_DECIDE)
    assert notice.url == reverse("alliance:manage-need", args=[need.pk])
    assert need.description not in notice.text  # the resident's words stay on the staff page
    assert not Notice.objects.filter(recipient__in=[asker, events_staff]).exists()


def test_the_home_section_counts_what_waits_for_staff_in_one_query(
    now, staff, asker, django_assert_max_num_queries
):
    for _ in range(3):
        make_need(asker)
    request = RequestFactory().get("/")
    request.user = staff
    staff.groups.all()  # the roles, as the request's user has them prefetched
    with django_assert_max_num_queries(2):
        assert section(request)["waiting"] == 3
    request.user = make_user("别人")
    assert section(request)["waiting"] == 0
