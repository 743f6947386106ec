"""manage.py remind_events: the day-before reminder, once per household."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from events import services
from events.models import Booking
from portal.models import Notice
from tests.events.helpers import make_activity

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("remind_events", *args, stdout=out)
    return out.getvalue()


def test_households_with_a_place_tomorrow_are_reminded_once(
    parent, child, resident, festival, django_capture_on_commit_callbacks
):
    parent.email = "mum@example.com"
    parent.save()
    activity = make_activity(festival, capacity=2)
    services.register(activity, user=parent, members=[parent.member, child])
    services.register(activity, user=resident, members=[resident.member])  # waiting: no reminder

    with django_capture_on_commit_callbacks(execute=True):
        assert "1 households reminded" in run("--day", "2026-06-13")
    assert "0 households reminded" in run("--day", "2026-06-13")

    notice = Notice.objects.get(recipient=parent)
    assert "趣味运动会" in notice.text and "张小明" in notice.text and "09:00" in notice.text
    assert not Notice.objects.filter(recipient=resident).exists()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("language", "subject", "opening"),
    [
        ("", "公园路社区：提醒", "提醒："),
        ("en", "公园路社区: reminder", "Reminder: “"),
    ],
    ids=["default reader gets Chinese", "English reader gets English"],
)
def test_the_reminder_is_written_in_the_recipients_language(
    parent, child, festival, django_capture_on_commit_callbacks, language, subject, opening
):
    parent.email, parent.language = "mum@example.com", language
    parent.save()
    services.register(make_activity(festival), user=parent, members=[child])

    with django_capture_on_commit_callbacks(execute=True):
        run("--day", "2026-06-13")  # the test runs in English: the job's language does not matter

    assert mail.outbox[0].subject == subject
    assert mail.outbox[0].body.startswith(opening)
    assert Notice.objects.get(recipient=parent).text.startswith(opening)


def test_the_dry_run_changes_nothing(parent, child, festival):
    services.register(make_activity(festival), user=parent, members=[child])

    assert "1 households would be reminded" in run("--day", "2026-06-13", "--dry-run")
    assert not Notice.objects.exists()
    assert Booking.objects.get().reminded_at is None


def test_only_the_given_day_is_reminded(parent, child, festival):
    services.register(make_activity(festival), user=parent, members=[child])

    assert "0 households reminded" in run("--day", "2026-06-14")
    assert "0 households reminded" in run()  # tomorrow is 2026-06-02


def test_a_bad_day_is_refused():
    with pytest.raises(CommandError, match="--day"):
        run("--day", "13/06/2026")
