"""The delivery queue: rows written with the change, sent after commit, retried, never twice."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from portal import delivery, sms
from portal.models import Delivery
from tests.factories import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def texter(db):
    """A resident whose mobile the office has verified."""
    return make_user("赵短信", mobile="13711110000", email="zhao@example.org", mobile_verified=True)


class FlakyBackend:
    """Fails with the given errors in turn, then sends (records each text it took)."""

    errors: list = []
    sent: list = []
    calls = 0

    def __init__(self, **options):
        pass

    def send(self, message):
        type(self).calls += 1
        if type(self).errors:
            raise type(self).errors.pop(0)
        type(self).sent.append(message)
        return f"flaky-{len(type(self).sent)}"


@pytest.fixture
def flaky(settings):
    settings.SMS_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.errors, FlakyBackend.sent, FlakyBackend.calls = [], [], 0
    return FlakyBackend


def queue_text(user, **kwargs):
    kwargs.setdefault("kind", "reminder")
    kwargs.setdefault("text", "明天上午9点红星服务日，请准时到岗。")
    kwargs.setdefault("params", {"time": "9:00"})
    return delivery.queue_message(user=user, channel="sms", **kwargs)


def test_a_text_is_a_row_sent_after_commit(
    texter, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOON)
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_text(texter)
        assert row.state == Delivery.State.QUEUED
        assert sms.outbox == []  # nothing leaves before the commit

    row.refresh_from_db()
    assert row.state == Delivery.State.SENT
    assert row.to == "13711110000"
    assert row.attempts == 1
    assert row.provider_message_id
    assert [m.to for m in sms.outbox] == ["13711110000"]
    assert sms.outbox[0].params == {"time": "9:00"} and sms.outbox[0].kind == "reminder"


def test_a_mail_is_a_row_sent_after_commit(texter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = delivery.queue_message(
            user=texter, channel="email", kind="reminder", text="正文", subject="提醒"
        )
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT
    assert [(m.subject, m.to) for m in mail.outbox] == [("提醒", ["zhao@example.org"])]


def test_a_rolled_back_transaction_sends_nothing(texter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_text(texter, urgent=True)
            delivery.queue_message(user=texter, channel="email", kind="x", text="y")
            raise RuntimeError("the change failed")

    assert callbacks == []
    assert not Delivery.objects.exists()
    assert sms.outbox == [] and mail.outbox == []


def test_no_text_to_a_mobile_that_is_not_verified(resident, django_capture_on_commit_callbacks):
    assert resident.mobile and not resident.mobile_verified
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_text(resident, urgent=True) is None
    assert not Delivery.objects.exists() and sms.outbox == []


def test_no_mail_to_a_person_without_an_email(resident):
    assert delivery.queue_message(user=resident, channel="email", kind="x", text="y") is None
    assert not Delivery.objects.exists()


def test_a_repeated_key_queues_nothing_more(texter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_text(texter, key="waitlist:41", urgent=True)
        again = queue_text(texter, key="waitlist:41", urgent=True)
        by_mail = delivery.queue_message(
            user=texter, channel="email", kind="reminder", text="t", key="waitlist:41"
        )

    assert again.pk == first.pk
    assert by_mail.pk != first.pk  # the same notice by mail is a delivery of its own
    assert Delivery.objects.count() == 2
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("local_time", "held_until"),
    [
        (datetime(2026, 12, 1, 21, 0), datetime(2026, 12, 2, 8, 0)),
        (datetime(2026, 12, 1, 23, 30), datetime(2026, 12, 2, 8, 0)),
        (datetime(2026, 12, 2, 7, 59), datetime(2026, 12, 2, 8, 0)),
    ],
    ids=["at-nine-pm", "late-evening", "just-before-eight"],
)
def test_a_text_queued_in_quiet_hours_waits_for_the_morning(
    texter, time_machine, django_capture_on_commit_callbacks, local_time, held_until
):
    time_machine.move_to(local_time.replace(tzinfo=SHANGHAI), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_text(texter)

    row.refresh_from_db()
    assert row.state == Delivery.State.HELD
    assert row.next_attempt_at == held_until.replace(tzinfo=SHANGHAI)
    assert sms.outbox == []

    time_machine.move_to(held_until.replace(tzinfo=SHANGHAI) + timedelta(minutes=2))
    call_command("sweep_deliveries", verbosity=0)
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT
    assert len(sms.outbox) == 1


@pytest.mark.parametrize(
    "local_time",
    [datetime(2026, 12, 1, 8, 0), datetime(2026, 12, 1, 20, 59)],
    ids=["eight-am", "just-before-nine-pm"],
)
def test_a_text_outside_quiet_hours_goes_at_once(
    texter, time_machine, django_capture_on_commit_callbacks, local_time
):
    time_machine.move_to(local_time.replace(tzinfo=SHANGHAI), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        queue_text(texter)
    assert len(sms.outbox) == 1


def test_urgent_texts_and_mails_ignore_quiet_hours(
    texter, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        queue_text(texter, urgent=True)
        delivery.queue_message(user=texter, channel="email", kind="x", text="y")
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1


def test_a_provider_that_fails_twice_then_succeeds_delivers_exactly_once(
    texter, flaky, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOON, tick=False)
    flaky.errors = [sms.TemporarySmsError("throttled"), sms.TemporarySmsError("server error")]
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_text(texter)

    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("queued", 1, "throttled")
    assert row.next_attempt_at == NOON + timedelta(seconds=60)

    assert delivery.deliver(row.pk) == "skipped"  # not due yet
    time_machine.move_to(NOON + timedelta(seconds=61), tick=False)
    assert delivery.deliver(row.pk) == "queued"
    row.refresh_from_db()
    assert row.next_attempt_at == NOON + timedelta(seconds=61 + 300)

    time_machine.move_to(NOON + timedelta(seconds=61 + 301), tick=False)
    assert delivery.deliver(row.pk) == "sent"
    assert delivery.deliver(row.pk) == "skipped"  # a late duplicate task sends nothing

    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    assert len(flaky.sent) == 1 and flaky.calls == 3


def test_a_permanent_refusal_is_recorded_with_the_providers_reason(
    texter, flaky, django_capture_on_commit_callbacks
):
    flaky.errors = [sms.PermanentSmsError("isv.MOBILE_NUMBER_ILLEGAL: 非法手机号")]
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_text(texter, urgent=True)
    row.refresh_from_db()
    assert row.state == Delivery.State.FAILED
    assert row.last_error == "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"
    assert delivery.sweep()["enqueued"] == 0
    assert flaky.calls == 1


def test_it_gives_up_after_the_last_retry(
    texter, flaky, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.DELIVERY_RETRY_DELAYS = [60, 60]
    time_machine.move_to(NOON, tick=False)
    flaky.errors = [sms.TemporarySmsError(f"busy {n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_text(texter, urgent=True)
    for minute in (2, 4):
        time_machine.move_to(NOON + timedelta(minutes=minute), tick=False)
        delivery.deliver(row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("failed", 3, "busy 2")


def test_a_worker_killed_after_claiming_loses_nothing(
    texter, time_machine, settings, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOON, tick=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_text(texter)
    assert delivery.claim(row.pk) is not None  # the worker committed "sending", then died

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    time_machine.move_to(NOON + timedelta(minutes=5), tick=False)
    assert delivery.sweep() == {"stuck": 0, "enqueued": 0}  # maybe still sending: wait
    time_machine.move_to(NOON + timedelta(minutes=11), tick=False)
    assert delivery.sweep() == {"stuck": 1, "enqueued": 1}

    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2)
    assert len(sms.outbox) == 1


def test_the_sweep_dry_run_changes_nothing(texter, time_machine, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    time_machine.move_to(NOON, tick=False)
    row = queue_text(texter)
    delivery.claim(row.pk)
    time_machine.move_to(NOON + timedelta(hours=1), tick=False)
    assert delivery.sweep(dry_run=True) == {"stuck": 1, "enqueued": 1}
    row.refresh_from_db()
    assert row.state == Delivery.State.SENDING


def test_resend_queues_a_failed_delivery_again_but_never_a_sent_one(
    texter, flaky, django_capture_on_commit_callbacks
):
    flaky.errors = [sms.PermanentSmsError("template not approved")]
    with django_capture_on_commit_callbacks(execute=True):
        failed = queue_text(texter, urgent=True)
        sent = queue_text(texter, urgent=True, kind="other")
    failed.refresh_from_db()
    assert failed.state == "failed"

    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.resend(failed) is True
        assert delivery.resend(sent) is False

    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("sent", 1)
    assert len(flaky.sent) == 2


def test_delivery_writes_leave_the_public_pages_cached(texter, django_capture_on_commit_callbacks):
    from portal.cache import NAMESPACES, versions

    before = versions(NAMESPACES)
    with django_capture_on_commit_callbacks(execute=True):
        queue_text(texter, urgent=True)
    assert versions(NAMESPACES) == before


@pytest.mark.parametrize(
    ("setting", "local_time", "held"),
    [
        ("", datetime(2026, 12, 1, 23, 0), False),
        ("12:00-14:00", datetime(2026, 12, 1, 13, 0), True),
        ("12:00-14:00", datetime(2026, 12, 1, 14, 0), False),
        ("22:30-07:00", datetime(2026, 12, 1, 22, 0), False),
        ("22:30-07:00", datetime(2026, 12, 1, 22, 30), True),
    ],
    ids=["none", "midday-inside", "midday-end", "late-before", "late-start"],
)
def test_quiet_hours_follow_the_setting(
    texter, settings, time_machine, django_capture_on_commit_callbacks, setting, local_time, held
):
    settings.NOTICE_QUIET_HOURS = setting
    time_machine.move_to(local_time.replace(tzinfo=SHANGHAI), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        row = queue_text(texter)
    row.refresh_from_db()
    assert (row.state == Delivery.State.HELD) is held
    assert len(sms.outbox) == (0 if held else 1)


def test_allauth_mails_go_through_the_queue_after_commit(
    client, texter, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": "zhao@example.org"})
    assert response.status_code == 302
    row = Delivery.objects.get(channel="email")
    assert row.user == texter and row.urgent and row.state == Delivery.State.SENT
    assert [m.to for m in mail.outbox] == [["zhao@example.org"]]
    assert row.text == mail.outbox[0].body


def test_the_sweep_command_reports_and_its_dry_run_sends_nothing(texter, time_machine, settings):
    import io

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    time_machine.move_to(NOON, tick=False)
    queue_text(texter)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    time_machine.move_to(NOON + timedelta(minutes=5), tick=False)

    out = io.StringIO()
    call_command("sweep_deliveries", "--dry-run", stdout=out)
    assert "would enqueue 1 deliveries" in out.getvalue()
    assert sms.outbox == []

    out = io.StringIO()
    call_command("sweep_deliveries", stdout=out)
    assert "enqueued 1 deliveries" in out.getvalue()
    assert len(sms.outbox) == 1
    call_command("sweep_deliveries", stdout=io.StringIO())  # safe to run twice
    assert len(sms.outbox) == 1
