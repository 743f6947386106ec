"""Registering on the phone, My registrations, the ticket, cancelling."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from events import services
from events.models import Question, Registration
from portal.models import Notice
from tests.events.helpers import NOW, add_question, make_activity
from tests.factories import make_child

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client, activity):
    response = client.get(reverse("events:register", args=[activity.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_the_form_offers_me_and_my_household(client, parent, child, activity):
    client.force_login(parent)

    body = client.get(reverse("events:register", args=[activity.pk])).content.decode()

    assert f'name="person_{parent.member.pk}"' in body
    assert f'name="person_{child.pk}"' in body


def test_a_parent_registers_herself_and_her_child_with_answers(client, parent, child, activity):
    q = add_question(activity, "T恤尺码", Question.Kind.CHOICE, choices="S\nM")
    client.force_login(parent)

    response = client.post(
        reverse("events:register", args=[activity.pk]),
        {
            f"person_{parent.member.pk}": "on",
            f"person_{child.pk}": "on",
            f"q{q.pk}_{parent.member.pk}": "M",
            f"q{q.pk}_{child.pk}": "S",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("events:my")
    regs = Registration.objects.filter(activity=activity).order_by("id")
    assert [r.status for r in regs] == ["confirmed", "confirmed"]
    assert regs.get(member=child).answers == {str(q.pk): "S"}


def test_a_full_activity_puts_the_household_on_the_waiting_list_with_its_position(
    client, resident, parent, child, festival
):
    activity = make_activity(festival, capacity=1)
    services.register(activity, user=resident, members=[resident.member])
    client.force_login(parent)

    response = client.post(
        reverse("events:register", args=[activity.pk]),
        {f"person_{parent.member.pk}": "on", f"person_{child.pk}": "on"},
        follow=True,
    )

    assert set(
        Registration.objects.filter(member__in=[parent.member, child]).values_list(
            "status", flat=True
        )
    ) == {"waiting"}
    body = response.content.decode()
    assert "1" in body
    assert response.context["upcoming"][0].position == 1


@pytest.mark.parametrize(
    ("setup", "data", "error"),
    [
        ("none", {}, "Tick at least one person"),
        ("required", {"tick": True}, "Please answer this question"),
        ("consent", {"tick": True}, "Please tick to agree"),
        ("closed", {"tick": True}, "has closed"),
        ("age", {"tick": True}, "outside the age range"),
    ],
    ids=["nobody-ticked", "answer-missing", "consent-missing", "window-closed", "too-old"],
)
def test_bad_registrations_show_a_clear_error_and_change_nothing(
    client, parent, festival, setup, data, error
):
    activity = make_activity(festival)
    if setup == "required":
        add_question(activity, "朗诵篇目")
    if setup == "consent":
        add_question(activity, "同意拍照", Question.Kind.CONSENT)
    if setup == "closed":
        activity.registration_closes_at = NOW - timedelta(hours=1)
        activity.save()
    if setup == "age":
        activity.max_age = 12
        activity.save()
    client.force_login(parent)
    post = {f"person_{parent.member.pk}": "on"} if data.get("tick") else {}

    response = client.post(reverse("events:register", args=[activity.pk]), post)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Registration.objects.exists()


def test_another_households_member_cannot_be_smuggled_in(client, resident, parent, child, activity):
    client.force_login(resident)

    response = client.post(
        reverse("events:register", args=[activity.pk]),
        {f"person_{resident.member.pk}": "on", f"person_{child.pk}": "on"},
    )

    assert response.status_code == 302
    assert list(Registration.objects.values_list("member", flat=True)) == [resident.member.pk]


def test_my_registrations_lists_tickets_and_notices_without_marking_them_read(
    client, parent, child, activity
):
    services.register(activity, user=parent, members=[child])
    Notice.objects.create(recipient=parent, text="好消息", url=reverse("events:my"))
    client.force_login(parent)

    response = client.get(reverse("events:my"))

    body = response.content.decode()
    assert "张小明" in body and "趣味运动会" in body and "好消息" in body
    assert Notice.objects.get(recipient=parent).read_at is None


def test_marking_the_events_notices_read_is_a_post_that_leaves_other_notices_unread(
    client, parent, child, activity
):
    services.register(activity, user=parent, members=[child])
    Notice.objects.create(recipient=parent, text="好消息", url=reverse("events:my"))
    other = Notice.objects.create(recipient=parent, text="队长消息", url="/volunteers/")
    client.force_login(parent)

    assert client.get(reverse("events:notices-read")).status_code == 405
    response = client.post(reverse("events:notices-read"))

    assert response.status_code == 302
    assert not Notice.objects.filter(recipient=parent).about("/events/").unread().exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_the_ticket_shows_a_qr_code_of_the_staff_link_and_the_code(client, parent, child, activity):
    reg = services.register(activity, user=parent, members=[child]).registrations.get()
    client.force_login(parent)

    response = client.get(reverse("events:ticket", args=[reg.ticket_token]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body
    assert reg.ticket_code in body
    assert "张小明" in body


def test_another_household_cannot_open_my_ticket(client, resident, parent, child, activity):
    reg = services.register(activity, user=parent, members=[child]).registrations.get()
    client.force_login(resident)

    assert client.get(reverse("events:ticket", args=[reg.ticket_token])).status_code == 404


def test_cancelling_my_childs_place(client, parent, child, activity):
    reg = services.register(
        activity, user=parent, members=[parent.member, child]
    ).registrations.get(member=child)
    client.force_login(parent)

    response = client.post(reverse("events:cancel", args=[reg.pk]))

    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.status == "cancelled" and reg.cancelled_at == NOW
    assert Registration.objects.get(member=parent.member).status == "confirmed"


def test_cancelling_needs_a_post(client, parent, child, activity):
    reg = services.register(activity, user=parent, members=[child]).registrations.get()
    client.force_login(parent)

    assert client.get(reverse("events:cancel", args=[reg.pk])).status_code == 405
    reg.refresh_from_db()
    assert reg.status == "confirmed"


def test_nobody_else_can_cancel_my_place(client, resident, parent, child, activity):
    reg = services.register(activity, user=parent, members=[child]).registrations.get()
    client.force_login(resident)

    assert client.post(reverse("events:cancel", args=[reg.pk])).status_code == 404
    reg.refresh_from_db()
    assert reg.status == "confirmed"


def test_cancelling_after_the_cut_off_shows_an_error(client, parent, child, festival):
    activity = make_activity(festival, cancel_until=NOW - timedelta(hours=1))
    reg = services.register(activity, user=parent, members=[child]).registrations.get()
    client.force_login(parent)

    response = client.post(reverse("events:cancel", args=[reg.pk]), follow=True)

    assert "Cancelling closed" in response.content.decode()
    reg.refresh_from_db()
    assert reg.status == "confirmed"


def test_the_home_section_shows_the_next_festival_and_my_count(client, parent, child, activity):
    services.register(activity, user=parent, members=[child])
    client.force_login(parent)

    body = client.get("/").content.decode()

    assert "你好·邻居" in body
    assert reverse("events:my") in body


def test_the_register_form_says_who_is_outside_the_age_range(client, parent, children_games):
    make_child(parent, name="小宝宝", birth_date=date(2024, 1, 1))
    client.force_login(parent)

    response = client.get(reverse("events:register", args=[children_games.pk]))

    blocks = list(response.context["form"].blocks())
    assert [b["allowed"] for b in blocks] == [False, False]


def test_the_ticket_downloads_as_a_self_contained_page(client, parent, child, activity):
    reg = services.register(activity, user=parent, members=[child]).registrations.get()
    client.force_login(parent)

    response = client.get(reverse("events:ticket", args=[reg.ticket_token]), {"download": "1"})

    assert (
        response["Content-Disposition"] == f'attachment; filename="ticket-{reg.ticket_code}.html"'
    )
    body = response.content.decode()
    assert "<svg" in body and reg.ticket_code in body
    assert "<link" not in body and "<script" not in body
    # Shown in the browser rather than saved, its inline styles still apply; nothing else runs.
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy


def test_the_home_section_runs_at_most_three_queries(
    rf, parent, child, festival, django_assert_max_num_queries
):
    from events.home import section

    for n in range(20):
        services.register(make_activity(festival, title=f"活动{n}"), user=parent, members=[child])
    Notice.objects.create(recipient=parent, text="好消息", url=reverse("events:my"))
    Notice.objects.create(recipient=parent, text="别的消息", url="/classes/")
    request = rf.get("/")
    request.user = parent

    with django_assert_max_num_queries(3):
        ctx = section(request)

    assert (ctx["event"], ctx["my_count"], ctx["unread"]) == (festival, 20, 1)
