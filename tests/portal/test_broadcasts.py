"""Staff messages to many: a preview (recipients per channel, SMS segments), then the worker
sends, and a progress page (sent / failed / waiting)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from portal import broadcasts, delivery, sms
from portal.models import Broadcast, Delivery, Notice
from tests.factories import make_user
from tests.volunteers.helpers import DAY, NOW, make_post, make_team
from volunteers import services as volunteer_services
from volunteers.models import ServiceDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_volunteers(time_machine, team_leader):
    """Three volunteers on the service day: a verified mobile, an email, neither."""
    time_machine.move_to(NOW, tick=False)
    service_day = ServiceDay.objects.create(date=DAY)
    post = make_post(team=make_team(leader=team_leader), capacity=10)
    people = [
        make_user("甲", mobile_verified=True),
        make_user("乙", email="yi@example.org"),
        make_user("丙"),
    ]
    for person in people:
        volunteer_services.sign_up(post, person)
    return service_day, people


def day_url(service_day):
    return reverse("volunteers:day-message", args=[service_day.date.isoformat()])


def test_the_preview_shows_recipients_per_channel_and_segments_and_sends_nothing(
    client, coordinator, day_volunteers
):
    service_day, _people = day_volunteers
    client.force_login(coordinator)
    text = "邻" * 64  # with the sign name 【公园路社区】 (7) it is 71: two segments

    response = client.post(day_url(service_day), {"text": text})

    assert response.status_code == 200
    assert response.context["counts"] == {"inbox": 3, "sms": 1, "email": 1}
    assert response.context["segments"] == 2
    page = response.content.decode()
    assert text in page and 'name="confirm"' in page
    assert not Broadcast.objects.exists() and not Notice.objects.filter(text=text).exists()


def test_confirming_hands_the_message_to_the_worker_and_shows_its_progress(
    client, coordinator, day_volunteers, django_capture_on_commit_callbacks
):
    service_day, people = day_volunteers
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(day_url(service_day), {"text": "下雨改室内", "confirm": "True"})

    broadcast = Broadcast.objects.get()
    assert response["Location"] == reverse("broadcast-progress", args=[broadcast.pk])
    assert sorted(broadcast.recipients) == sorted(p.pk for p in people)
    broadcast.refresh_from_db()
    assert (broadcast.state, broadcast.processed) == ("done", 3)
    assert Notice.objects.filter(text="下雨改室内").count() == 3

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["progress"]["processed"] == 3 and page.context["progress"]["done"]


def test_the_request_sends_nothing_when_a_worker_runs_the_queue(
    client, coordinator, day_volunteers, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    service_day, _people = day_volunteers
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(day_url(service_day), {"text": "下雨改室内", "confirm": "True"})

    broadcast = Broadcast.objects.get()
    assert broadcast.state == "queued" and not Notice.objects.filter(text="下雨改室内").exists()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [broadcast.pk], "kwargs": {}}

    broadcasts.run(broadcast.pk)  # what the worker does
    assert Notice.objects.filter(text="下雨改室内").count() == 3


def text_and_mail(user, broadcast):
    """A sender like the shared notify: the text and the mail it queues."""
    delivery.queue_message(user=user, channel="sms", kind="staff_message", text=broadcast.text,
                           params={"text": broadcast.text}, urgent=True)  # fmt: skip
    delivery.queue_message(user=user, channel="email", kind="staff_message", text=broadcast.text)


class RefuseSecond:
    calls = 0

    def __init__(self, **options):
        pass

    def send(self, message):
        RefuseSecond.calls += 1
        if RefuseSecond.calls == 2:
            raise sms.PermanentSmsError("isv.MOBILE_NUMBER_ILLEGAL")
        return "ok"


def test_the_progress_counts_sent_failed_and_waiting(
    client, coordinator, monkeypatch, settings, time_machine, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(broadcasts.SENDERS, "volunteers", text_and_mail)
    settings.SMS_BACKEND = f"{__name__}.RefuseSecond"
    RefuseSecond.calls = 0
    people = [
        make_user(f"收{n}", mobile_verified=True, email=f"s{n}@example.org") for n in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = broadcasts.start(
            source="volunteers", title="t", text="明天停水", users=people, url="", back_url="",
            by=coordinator,
        )  # fmt: skip

    assert set(Delivery.objects.values_list("broadcast_id", flat=True)) == {broadcast.pk}
    broadcast.refresh_from_db()
    progress = broadcasts.progress(broadcast)
    assert (progress["sent"], progress["failed"], progress["waiting"]) == (5, 1, 0)
    assert progress["done"]


def test_a_worker_killed_part_way_leaves_the_rest_for_the_next(
    coordinator, day_volunteers, monkeypatch
):
    _service_day, people = day_volunteers
    done = []
    monkeypatch.setitem(broadcasts.SENDERS, "volunteers", lambda user, b: done.append(user.pk))
    monkeypatch.setattr(broadcasts, "CHUNK", 1)
    broadcast = Broadcast.objects.create(
        source="volunteers", title="t", text="x", recipients=[p.pk for p in people],
        state="sending", processed=1, created_by=coordinator,
    )  # fmt: skip

    assert broadcasts.run(broadcast.pk) == "done"
    assert done == [people[1].pk, people[2].pk]
    assert broadcasts.run(broadcast.pk) == "skipped"  # done once is done


def test_only_the_sender_sees_the_progress(client, coordinator, community_admin, resident):
    broadcast = Broadcast.objects.create(
        source="volunteers", title="t", text="x", recipients=[], created_by=coordinator
    )
    url = reverse("broadcast-progress", args=[broadcast.pk])
    for someone in (community_admin, resident):
        client.force_login(someone)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    "data",
    [{"text": " "}, {"text": " ", "confirm": "True"}, {"text": "x" * 401, "confirm": "True"}, {}],
    ids=["blank-preview", "blank-confirm", "too-long", "nothing"],
)
def test_a_bad_message_is_refused_with_a_message_and_sends_nothing(
    client, coordinator, day_volunteers, data
):
    service_day, _people = day_volunteers
    client.force_login(coordinator)
    response = client.post(day_url(service_day), data, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert not Broadcast.objects.exists()


def test_a_resident_cannot_message_a_day(client, resident, day_volunteers):
    service_day, _people = day_volunteers
    client.force_login(resident)
    response = client.post(day_url(service_day), {"text": "x", "confirm": "True"})
    assert response.status_code == 403
    assert not Broadcast.objects.exists()


def test_the_preview_costs_the_same_queries_for_many_recipients(
    client, coordinator, day_volunteers, django_assert_max_num_queries, team_leader
):
    service_day, _people = day_volunteers
    client.force_login(coordinator)
    client.post(day_url(service_day), {"text": "x"})  # warm the caches
    with django_assert_max_num_queries(8) as few:
        client.post(day_url(service_day), {"text": "x"})
    post = make_post(team=make_team("磨刀队", leader=team_leader, slug="knives"), capacity=50)
    for n in range(30):
        volunteer_services.sign_up(post, make_user(f"多{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.post(day_url(service_day), {"text": "x"})
    assert response.context["counts"]["inbox"] == 33


def test_staff_messages_are_listed_read_only_in_the_admin(client, community_admin, coordinator):
    Broadcast.objects.create(
        source="volunteers", title="红星服务日", text="x", recipients=[1, 2], created_by=coordinator
    )
    client.force_login(community_admin)
    response = client.get(reverse("admin:portal_broadcast_changelist"))
    assert response.status_code == 200 and "红星服务日" in response.content.decode()
    assert client.get(reverse("admin:portal_broadcast_add")).status_code == 403


def test_the_sweep_resumes_a_staff_message_whose_worker_was_lost(
    coordinator, day_volunteers, monkeypatch, time_machine, settings
):
    _service_day, people = day_volunteers
    done = []
    monkeypatch.setitem(broadcasts.SENDERS, "volunteers", lambda user, b: done.append(user.pk))
    broadcast = Broadcast.objects.create(
        source="volunteers", title="t", text="x", recipients=[p.pk for p in people],
        created_by=coordinator, created_at=NOW,
    )  # fmt: skip
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    assert broadcasts.sweep() == 0  # its task may still be coming
    time_machine.move_to(NOW + timedelta(minutes=11), tick=False)
    assert broadcasts.sweep() == 1
    broadcast.refresh_from_db()
    assert broadcast.state == "done" and sorted(done) == sorted(p.pk for p in people)
    assert broadcasts.sweep() == 0


def test_the_progress_page_costs_the_same_queries_with_many_deliveries(
    client, coordinator, django_assert_max_num_queries
):
    person = make_user("多收", mobile_verified=True)
    broadcast = Broadcast.objects.create(
        source="volunteers", title="t", text="x", recipients=[person.pk], created_by=coordinator
    )
    url = reverse("broadcast-progress", args=[broadcast.pk])
    client.force_login(coordinator)
    client.get(url)
    with django_assert_max_num_queries(6) as few:
        client.get(url)
    Delivery.objects.bulk_create(
        Delivery(user=person, channel="sms", kind="k", to=person.mobile, text="x",
                 key=f"p{n}", broadcast=broadcast, state=("sent", "failed", "queued")[n % 3])
        for n in range(60)
    )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["progress"] | {"done": None} == {
        "people": 1, "processed": 0, "sent": 20, "failed": 20, "waiting": 20, "done": None,
    }  # fmt: skip
