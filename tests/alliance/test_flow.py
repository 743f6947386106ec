"""From a resident's micro-wish to a rated project, through every page on the way."""

import pytest
from django.core import mail  # noqa: F401
from django.urls import reverse

from alliance.models import Need, Project, Rating
from portal.models import Notice
from tests.alliance.helpers import make_resource

pytestmark = pytest.mark.django_db


def test_a_micro_wish_becomes_a_rated_project(client, now, staff, asker, partner, contact):
    resource = make_resource(partner, title="学校图书馆周末开放")

    client.force_login(asker)
    response = client.post(
        reverse("alliance:ask"),
        {
            "kind": "wish",
            "category": "children",
            "title": "孩子们的读书角",
            "description": "李家楼下想要一个读书角",
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == need.get_absolute_url()
    assert (need.author, need.source, need.state, need.building) == (asker, "resident", "new", "3")
    assert client.get(reverse("alliance:mine")).content.decode().count("孩子们的读书角") == 1

    client.force_login(staff)
    assert client.get(reverse("alliance:manage")).status_code == 200
    assert client.get(reverse("alliance:manage-need", args=[need.pk])).status_code == 200
    response = client.post(
        reverse("alliance:need-answer", args=[need.pk, "accept"]),
        {"public_summary": "为儿童建一个读书角"},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.state == "accepted" and need.answered_at is not None
    assert Notice.objects.filter(recipient=asker, text__contains="孩子们的读书角").exists()

    response = client.get(reverse("alliance:project-new") + f"?need={need.pk}")
    assert response.status_code == 200
    response = client.post(
        reverse("alliance:project-new"),
        {
            "title": "楼道读书角",
            "plan": "小学图书馆提供图书，社区提供场地",
            "owner": partner.pk,
            "starts_on": "2026-06-20",
            "budget": "300",
            "needs": [need.pk],
            "resources": [resource.pk],
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.state == "in_project" and need.project == project

    client.force_login(contact)
    page = client.get(reverse("alliance:partner")).content.decode()
    assert "楼道读书角" in page and "李居民" not in page

    client.force_login(staff)
    url = reverse("alliance:project-action", args=[project.pk, "close"])
    assert client.post(url, {"outcome": ""}).status_code == 400  # no outcome, no closing
    project.refresh_from_db()
    assert project.state == "planned"
    client.post(url, {"outcome": "读书角已建成，每周六开放"})
    project.refresh_from_db()
    need.refresh_from_db()
    assert project.state == "done" and need.state == "done"

    client.force_login(asker)
    client.post(reverse("alliance:rate", args=[project.pk]), {"stars": "5", "comment": "很好"})
    assert Rating.objects.get().stars == 5

    client.logout()
    board = client.get(reverse("alliance:board")).content.decode()
    assert "楼道读书角" in board and "读书角已建成" in board
    assert "李居民" not in board and "李家楼下" not in board and "为儿童建一个读书角" in board
    detail = client.get(reverse("alliance:project", args=[project.pk])).content.decode()
    assert "很好" in detail and "李居民" not in detail
