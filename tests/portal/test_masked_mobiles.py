"""Lists show mobile numbers masked (138****0009), except where the job is to call."""

from datetime import date

import pytest
from django.urls import reverse

from portal import roles
from tests.factories import make_user
from tests.portal.register import build_register
from volunteers import services as volunteer_services
from volunteers.models import Membership, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(time_machine):
    time_machine.move_to("2026-09-01 10:00 +08:00", tick=False)
    return build_register()


def test_a_leader_s_team_page_masks_members_and_applicants(client, register):
    team = Team.objects.get(pk=register.team_id)
    applicant = make_user("钱申请", mobile="13700000007")
    Membership.objects.create(team=team, user=applicant, status=Membership.Status.PENDING)
    client.force_login(register.team_leader)

    response = client.get(reverse("volunteers:lead-team", args=[team.slug]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "137****0005" in body and "137****0007" in body
    assert "13700000005" not in body and "13700000007" not in body
    assert reverse("show-mobile", args=[register.volunteer.pk]) in body


def test_the_coordinator_s_offers_are_masked(client, register):
    offer = make_user("孙家长", mobile="13700000008")
    Membership.objects.create(team=None, user=offer, status=Membership.Status.PENDING)
    client.force_login(make_user("周协调", role_list=[roles.VOLUNTEER_COORDINATOR]))

    response = client.get(reverse("volunteers:coordinator"))

    body = response.content.decode()
    assert "孙家长" in body
    assert "137****0008" in body
    assert "13700000008" not in body


@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"], ids=["page", "csv", "excel"])
def test_the_attendee_list_and_its_exports_mask_numbers(client, register, fmt):
    from events.models import Registration

    activity = Registration.objects.get().activity
    client.force_login(make_user("吴活动", role_list=[roles.EVENTS_STAFF]))

    response = client.get(reverse("events:attendees", args=[activity.pk]), {"format": fmt})

    assert response.status_code == 200
    if fmt == "xlsx":
        from io import BytesIO

        from openpyxl import load_workbook

        cells = [
            str(c.value) for row in load_workbook(BytesIO(response.content)).active for c in row
        ]
        body = "\n".join(cells)
    else:
        body = response.content.decode("utf-8-sig")
    assert "赵报名" in body
    assert "137****0003" in body
    assert "13700000003" not in body


def test_the_leader_s_roster_on_the_day_keeps_numbers_to_call(client, register):
    from tests.volunteers.helpers import make_post

    team = Team.objects.get(pk=register.team_id)
    post = make_post(team=team, day=date(2026, 9, 10))
    volunteer_services.sign_up(post, register.volunteer)
    client.force_login(register.team_leader)

    response = client.get(reverse("volunteers:roster", args=[post.pk]))

    assert response.status_code == 200
    assert 'href="tel:13700000005"' in response.content.decode()
