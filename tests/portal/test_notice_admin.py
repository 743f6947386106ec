"""The notices in the admin: the community admin reads them; nobody writes them there."""

import pytest
from django.urls import reverse

from portal.notices import Kind, inbox_only, notify

LIST = reverse("admin:portal_notice_changelist")


@pytest.fixture
def notice(resident):
    with inbox_only():
        return notify(resident, Kind.PROMOTED, "有空位了", "/events/my/")


def test_the_community_admin_finds_what_a_resident_was_told(client, community_admin, notice):
    client.force_login(community_admin)

    response = client.get(LIST, {"q": "有空位"})

    assert response.status_code == 200 and "有空位了" in response.text
    assert client.get(reverse("admin:portal_notice_change", args=[notice.pk])).status_code == 200


def test_notices_cannot_be_added_or_edited_in_the_admin(client, community_admin, notice):
    client.force_login(community_admin)

    assert client.get(reverse("admin:portal_notice_add")).status_code == 403
    response = client.post(
        reverse("admin:portal_notice_change", args=[notice.pk]), {"text": "改过的"}
    )
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.text == "有空位了"


def test_a_modules_staff_cannot_read_residents_notices(client, events_staff, notice):
    client.force_login(events_staff)

    assert client.get(LIST).status_code == 403
