"""The Redis queue (TASKS_BACKEND=redis, for several servers): a text queued in a transaction is
put in Redis after commit and sent once by an RQ worker, the same task code as the database
queue. Needs the Redis on 127.0.0.1:6379 (skipped without it); uses its database 13."""

import pytest
import redis
from django.test import override_settings

from portal import delivery, sms
from portal.models import Delivery
from tests.factories import make_user

REDIS_URL = "redis://127.0.0.1:6379/13"

pytestmark = pytest.mark.django_db


@pytest.fixture
def rq_queue():
    try:
        connection = redis.Redis.from_url(REDIS_URL)
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    queues = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(RQ_QUEUES=queues, TASKS=tasks):
        yield connection
    connection.flushdb()


def run_worker():
    """One RQ worker in this process (no fork, so it sees the test's database), until empty."""
    import django_rq
    from rq.worker import SimpleWorker

    worker = django_rq.get_worker(
        "default", job_class="django_tasks_rq.Job", worker_class=SimpleWorker
    )
    worker.work(burst=True)


def test_a_text_goes_through_redis_after_commit_and_is_sent_once(
    rq_queue, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "portal.sms.backends.locmem.SmsBackend"
    person = make_user("孙阿姨", mobile_verified=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = delivery.queue_message(
            user=person, channel="sms", kind="reminder", text="明天上午九点理发", urgent=True
        )
    assert rq_queue.keys("rq:job:*") == []  # nothing in Redis before the commit
    for callback in callbacks:
        callback()
    assert len(rq_queue.keys("rq:job:*")) == 1

    run_worker()
    run_worker()  # a second worker finds nothing to do

    row.refresh_from_db()
    assert row.state == Delivery.State.SENT
    assert [m.text for m in sms.outbox] == ["明天上午九点理发"]
