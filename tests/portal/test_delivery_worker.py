"""The worker's path: the database queue (django-tasks-db) and its `db_worker` command."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils.timezone import now
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from portal import delivery, sms
from portal.models import Delivery
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NOTICE_QUIET_HOURS = ""


@pytest.fixture
def texter(db):
    return make_user("钱短信", mobile="13722220000", mobile_verified=True)


def run_worker():
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def queue_text(user, **kwargs):
    with transaction.atomic():
        return delivery.queue_message(
            user=user, channel="sms", kind="reminder", text="明天见", params={}, **kwargs
        )


def test_a_committed_text_waits_in_the_queue_until_the_worker_sends_it(database_queue, texter):
    row = queue_text(texter)
    assert DBTaskResult.objects.count() == 1
    assert sms.outbox == []

    run_worker()

    row.refresh_from_db()
    assert row.state == Delivery.State.SENT
    assert len(sms.outbox) == 1


def test_a_rolled_back_change_leaves_no_task(database_queue, texter):
    with pytest.raises(RuntimeError), transaction.atomic():
        delivery.queue_message(user=texter, channel="sms", kind="x", text="y", urgent=True)
        raise RuntimeError
    assert not DBTaskResult.objects.exists() and not Delivery.objects.exists()


class BusyBackend:
    def __init__(self, **options):
        pass

    def send(self, message):
        raise sms.TemporarySmsError("throttled")


def test_a_retry_waits_in_the_queue_until_its_time(database_queue, texter, settings):
    settings.SMS_BACKEND = f"{__name__}.BusyBackend"
    row = queue_text(texter)
    run_worker()

    row.refresh_from_db()
    assert (row.state, row.attempts) == ("queued", 1)
    waiting = DBTaskResult.objects.filter(status="READY").get()
    assert waiting.run_after == row.next_attempt_at > now()


def test_a_worker_killed_after_commit_and_before_sending_loses_nothing(
    database_queue, texter, time_machine
):
    row = queue_text(texter)
    # The first worker took the task and claimed the row ("sending", committed), then was killed.
    DBTaskResult.objects.update(status="RUNNING")
    assert delivery.claim(row.pk) is not None
    run_worker()
    assert sms.outbox == []

    time_machine.move_to(now() + timedelta(minutes=11))
    assert delivery.sweep() == {"stuck": 1, "enqueued": 1}
    run_worker()

    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(sms.outbox) == 1


class SlowBackend:
    """Takes a while to answer, so two workers overlap; counts what it sent."""

    sent: list = []
    lock = threading.Lock()

    def __init__(self, **options):
        pass

    def send(self, message):
        time.sleep(0.3)
        with self.lock:
            SlowBackend.sent.append(message.reference)
        return "slow"


@pytest.mark.postgres
def test_two_workers_at_once_send_a_delivery_only_once(database_queue, texter, settings):
    settings.SMS_BACKEND = f"{__name__}.SlowBackend"
    SlowBackend.sent = []
    row = queue_text(texter)
    delivery.enqueue(row.pk)  # a duplicate task, as a sweep may leave
    assert DBTaskResult.objects.count() == 2

    start = threading.Barrier(2)

    def worker(worker_id):
        # db_worker's own loop (the command adds only signal handling, main thread only).
        loop = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        start.wait()
        try:
            loop.run()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    row.refresh_from_db()
    assert row.state == Delivery.State.SENT
    assert SlowBackend.sent == [row.key]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


@pytest.mark.postgres
def test_two_workers_claiming_the_same_row_at_once_send_it_once(database_queue, texter, settings):
    settings.SMS_BACKEND = f"{__name__}.SlowBackend"
    SlowBackend.sent = []
    row = queue_text(texter)
    start = threading.Barrier(4)
    results = []

    def worker():
        start.wait()
        try:
            results.append(delivery.deliver(row.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["sent", "skipped", "skipped", "skipped"]
    assert SlowBackend.sent == [row.key]
