"""A full mobile number is shown only on request, with a reason, and every showing is logged."""

import pytest
from django.urls import reverse

from portal import roles
from portal.models import MobileReveal
from tests.factories import make_user
from tests.portal.register import build_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(time_machine):
    time_machine.move_to("2026-09-01 10:00 +08:00", tick=False)
    return build_register()


@pytest.fixture
def classes_staff(db):
    return make_user("王课堂", role_list=[roles.CLASSES_STAFF])


def _url(user, **params):
    from urllib.parse import urlencode

    url = reverse("show-mobile", args=[user.pk])
    return f"{url}?{urlencode(params)}" if params else url


def test_asking_shows_the_masked_number_and_writes_nothing(client, register, classes_staff):
    client.force_login(classes_staff)

    response = client.get(_url(register.parent))

    assert response.status_code == 200
    body = response.content.decode()
    assert register.parent.masked_mobile in body
    assert register.parent.mobile not in body
    assert not MobileReveal.objects.exists()


def test_giving_a_reason_shows_the_number_and_logs_who_whose_when_where_and_why(
    client, register, classes_staff
):
    client.force_login(classes_staff)
    back = reverse("admin:portal_user_change", args=[register.parent.pk])

    response = client.post(_url(register.parent), {"reason": "课程改期，电话通知", "next": back})

    assert response.status_code == 200
    assert f'href="tel:{register.parent.mobile}"' in response.content.decode()
    reveal = MobileReveal.objects.get()
    assert (reveal.viewer, reveal.person) == (classes_staff, register.parent)
    assert reveal.place == back
    assert reveal.reason == "课程改期，电话通知"
    assert reveal.shown_at is not None


@pytest.mark.parametrize(
    "reason", ["", "   ", "x" * 201, "a\x00b"], ids=["empty", "blank", "long", "nul"]
)
def test_without_a_proper_reason_nothing_is_shown_or_logged(
    client, register, classes_staff, reason
):
    client.force_login(classes_staff)

    response = client.post(_url(register.parent), {"reason": reason})

    assert register.parent.mobile not in response.content.decode()
    if "\x00" in reason:  # refused whole by the portal's hostile-input guard
        assert response.status_code == 400
    else:
        assert response.status_code == 200 and response.context["form"].errors
    assert not MobileReveal.objects.exists()


def test_nobody_sees_the_number_of_someone_outside_their_work(client, register, classes_staff):
    client.force_login(classes_staff)

    response = client.post(_url(register.bystander), {"reason": "好奇"})

    assert response.status_code == 404
    assert not MobileReveal.objects.exists()


def test_a_team_leader_may_show_a_team_member_s_number(client, register):
    client.force_login(register.team_leader)

    response = client.post(_url(register.volunteer), {"reason": "服务日联系"})

    assert response.status_code == 200
    assert register.volunteer.mobile in response.content.decode()
    assert MobileReveal.objects.get().viewer == register.team_leader


def test_visitors_are_sent_to_log_in(client, register):
    response = client.get(_url(register.parent))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_way_back_goes_only_to_a_page_of_this_site(client, register, classes_staff):
    client.force_login(classes_staff)

    client.post(_url(register.parent), {"reason": "通知", "next": "https://evil.example/x"})
    client.post(_url(register.parent), {"reason": "通知", "next": "//evil.example/x"})

    assert set(MobileReveal.objects.values_list("place", flat=True)) == {""}


def test_the_admin_s_person_page_offers_the_logged_action_instead_of_the_number(
    client, register, classes_staff
):
    client.force_login(classes_staff)

    response = client.get(reverse("admin:portal_user_change", args=[register.parent.pk]))

    body = response.content.decode()
    assert register.parent.masked_mobile in body
    assert reverse("show-mobile", args=[register.parent.pk]) in body
    assert register.parent.mobile not in body


def test_community_admins_read_the_log_and_nobody_edits_it(client, register, classes_staff):
    reveal = MobileReveal.objects.create(
        viewer=classes_staff, person=register.parent, place="/admin/", reason="通知"
    )
    client.force_login(make_user("管理员", role_list=[roles.COMMUNITY_ADMIN]))

    listing = client.get(reverse("admin:portal_mobilereveal_changelist"))
    add = client.get(reverse("admin:portal_mobilereveal_add"))
    delete = client.post(
        reverse("admin:portal_mobilereveal_delete", args=[reveal.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert "通知" in listing.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert MobileReveal.objects.filter(pk=reveal.pk).exists()


@pytest.mark.parametrize(
    "role", [roles.CANTEEN_STAFF, roles.EVENTS_STAFF, roles.CLASSES_STAFF], ids=str
)
def test_module_staff_cannot_read_the_log(client, register, role):
    client.force_login(make_user("职员", role_list=[role]))

    response = client.get(reverse("admin:portal_mobilereveal_changelist"))

    assert response.status_code == 403


@pytest.mark.parametrize(
    "query",
    [{"next": "/a\x00b"}, {"next": "x" * 5000}, {"next": "javascript:alert(1)"}],
    ids=["nul", "long", "script"],
)
def test_hostile_input_gets_a_plain_answer_and_writes_nothing(
    client, register, classes_staff, query
):
    client.force_login(classes_staff)

    page = client.get(_url(register.parent, **query))
    huge = client.get("/people/99999999999999999999999/mobile/")

    # A NUL byte or an absurd length is refused whole (400); a foreign link is dropped.
    refused = query["next"] != "javascript:alert(1)"
    assert page.status_code == (400 if refused else 200)
    assert "javascript:" not in page.content.decode()
    assert huge.status_code == 404
    assert not MobileReveal.objects.exists()

    shown = client.post(_url(register.parent), {"reason": "通知", **query})

    if "\x00" in query["next"]:  # a long posted field is allowed; a NUL byte never
        assert shown.status_code == 400 and not MobileReveal.objects.exists()
    else:
        assert shown.status_code == 200
        assert MobileReveal.objects.get().place == ""
