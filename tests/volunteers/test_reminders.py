"""The reminders command: the day before and the morning of, each sent once."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from portal.models import Notice
from tests.factories import make_user
from tests.volunteers.helpers import DAY, at, make_post
from volunteers import services


@pytest.fixture
def signed_up(post):
    user = make_user("钱阿姨", email="qian@example.com")
    services.sign_up(post, user)
    # the sign-up's own confirmation is not a reminder
    mail.outbox.clear()
    Notice.objects.all().delete()
    return user


def run(**kwargs):
    out = io.StringIO()
    # Mail leaves once the notice is committed (the test's transaction never commits).
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_volunteer_reminders", stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_the_day_before_reminder_is_sent_once(signed_up, time_machine):
    time_machine.move_to(at(DAY.replace(day=9), 18), tick=False)
    assert "Sent 1 day-before and 0 morning" in run()
    assert "Sent 0 day-before and 0 morning" in run()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["qian@example.com"]
    assert "补鞋" in mail.outbox[0].body
    assert Notice.objects.filter(recipient=signed_up).count() == 1


@pytest.mark.django_db
def test_the_morning_reminder_is_sent_once_before_the_start(signed_up, time_machine):
    time_machine.move_to(at(DAY, 7), tick=False)
    assert "0 day-before and 1 morning" in run()
    assert "0 day-before and 0 morning" in run()
    time_machine.move_to(at(DAY, 8), tick=False)
    assert "0 day-before and 0 morning" in run()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_morning_reminder_once_the_post_has_started(signed_up, time_machine):
    time_machine.move_to(at(DAY, 10), tick=False)
    assert "0 day-before and 0 morning" in run()


@pytest.mark.django_db
def test_cancelled_and_waiting_volunteers_get_no_reminder(team, volunteer, time_machine):
    post = make_post(team=team, capacity=1)
    first = services.sign_up(post, make_user("甲"))
    services.sign_up(post, volunteer, waitlist=True)
    services.cancel_signup(first, by=first.volunteer)  # the volunteer moves up
    services.cancel_signup(
        services.sign_up(make_post(team=team, start_hour=14), make_user("乙")), by=volunteer
    )
    time_machine.move_to(at(DAY.replace(day=9), 18), tick=False)
    assert "Sent 1 day-before" in run()
    assert Notice.objects.filter(recipient=volunteer, text__contains="提醒").count() == 1


@pytest.mark.django_db
def test_a_dry_run_sends_nothing(signed_up, time_machine):
    time_machine.move_to(at(DAY.replace(day=9), 18), tick=False)
    assert "Would send 1 day-before" in run(dry_run=True)
    assert not mail.outbox
    assert "Sent 1 day-before" in run()


@pytest.mark.django_db
def test_reminders_are_written_in_chinese_for_a_recipient_who_chose_no_language(
    signed_up, time_machine
):
    time_machine.move_to(at(DAY.replace(day=9), 18), tick=False)
    run()
    assert mail.outbox[0].subject == "志愿服务提醒"
    assert mail.outbox[0].body.startswith("提醒：明天")
    assert Notice.objects.get(recipient=signed_up).text.startswith("提醒：明天")


@pytest.mark.django_db
def test_reminders_are_written_in_english_for_a_recipient_who_chose_english(
    signed_up, time_machine
):
    signed_up.language = "en"
    signed_up.save(update_fields=["language"])
    time_machine.move_to(at(DAY.replace(day=9), 18), tick=False)
    with translation.override("zh-hans"):  # the language of whoever runs the job does not matter
        run()
    assert mail.outbox[0].subject == "Volunteer reminder"
    assert mail.outbox[0].body.startswith("Reminder: tomorrow")
    assert Notice.objects.get(recipient=signed_up).text.startswith("Reminder: tomorrow")
