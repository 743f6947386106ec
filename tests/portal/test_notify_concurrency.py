"""Two workers telling the same person about the same occasion at once: one notice, one queue."""

import threading

import pytest
from django.db import connection

from portal.models import Notice
from portal.notices import Kind, notify
from tests.factories import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


# what a reminder's text carries (notices.SMS_PARAMS)
PARAMS = {"title": "补鞋", "time": "2026-03-10 09:00", "place": "3号楼"}


def test_two_simultaneous_calls_with_one_key_write_one_notice(monkeypatch):
    queued = []
    monkeypatch.setattr("portal.delivery.queue_message", lambda **kw: queued.append(kw))
    user = make_user("钱阿姨")
    start = threading.Barrier(2)
    results, errors = [], []

    def tell():
        try:
            start.wait(timeout=10)
            notice = notify(user, Kind.REMINDER, "提醒", "", params=PARAMS, key="shift-9:morning")
            results.append(notice.pk)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=tell) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(set(results)) == 1
    assert Notice.objects.filter(recipient=user, key="shift-9:morning").count() == 1
    assert len(queued) == 2  # the text and the mail of the one notice
