"""portal.notices.notify: one notice per person, in their language, and the channels they chose."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from portal import cache as portal_cache
from portal import notices
from portal.models import Notice, NoticePreference
from portal.notices import Kind, notify
from tests.factories import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
REMINDER = gettext_lazy("Reminder: tomorrow %(time)s you serve at %(title)s, %(place)s.")
PARAMS = {"time": "09:00", "title": "补鞋", "place": "3号楼"}
# what a text of a promotion carries, whichever module sends it (notices.SMS_PARAMS)
PLACE = {"title": "亲子游园", "time": "2026-06-13 09:00"}
MESSAGE = {"title": "红星服务日", "message": "明天停水"}


@pytest.fixture
def queued(monkeypatch):
    """The calls to the delivery layer, recorded instead of sent."""
    calls = []

    def record(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr("portal.delivery.queue_message", record)
    return calls


def test_a_notice_is_written_in_the_recipients_language_whoever_sends_it(resident, queued):
    resident.language = "en"
    resident.save(update_fields=["language"])
    elder_reader = make_user("孙爷爷")  # no language chosen: the portal's default, Chinese

    with translation.override("zh-hans"):
        english = notify(resident, Kind.REMINDER, REMINDER, "/volunteers/", params=PARAMS)
    with translation.override("en"):
        chinese = notify(elder_reader, Kind.REMINDER, REMINDER, "/volunteers/", params=PARAMS)

    assert english.text == "Reminder: tomorrow 09:00 you serve at 补鞋, 3号楼."
    assert chinese.text.startswith("提醒：明天")
    assert (english.recipient, english.kind, english.url) == (resident, "reminder", "/volunteers/")
    assert english.read_at is None


def test_a_promotion_goes_by_text_and_by_mail_by_default(resident, queued):
    notice = notify(resident, Kind.PROMOTED, "有空位了", "/events/my/", params=PLACE, urgent=True)

    assert [c["channel"] for c in queued] == ["sms", "email"]
    sms = queued[0]
    assert sms["user"] == resident and sms["kind"] == "promoted" and sms["urgent"] is True
    assert sms["text"] == "有空位了"
    assert sms["key"] == f"notice:{notice.pk}:sms"


def test_template_parameters_are_passed_as_text_in_the_recipients_language(resident, queued):
    notify(resident, Kind.REMINDER, REMINDER, "", params={**PARAMS, "count": 3})

    assert queued[0]["params"] == {**PARAMS, "count": "3"}


@pytest.mark.parametrize(
    ("kind", "channels"),
    [
        (Kind.PROMOTED, ["sms", "email"]),
        (Kind.CANCELLED, ["sms", "email"]),
        (Kind.TIME_CHANGED, ["sms", "email"]),
        (Kind.REMINDER, ["sms", "email"]),
        (Kind.CONFIRMED, ["email"]),
        (Kind.NEWSLETTER, ["email"]),
        (Kind.TEAM_APPLICATION, ["email"]),
        (Kind.MESSAGE, ["email"]),
    ],
    ids=[
        "promotion",
        "cancellation",
        "changed-time",
        "reminder",
        "confirmation-mail-only",
        "newsletter-mail-only",
        "leaders-kind-mail-only",
        "staff-message-mail-only",
    ],
)
def test_the_default_channels(kind, channels):
    assert notices.channels_for(kind, None) == channels


def test_a_newsletter_never_comes_by_text_even_when_asked(resident):
    notices.save_choices(resident, {"sms": [Kind.NEWSLETTER, Kind.REMINDER], "email": []})

    preference = NoticePreference.objects.get(user=resident)
    assert notices.channels_for(Kind.NEWSLETTER, preference) == []
    assert notices.channels_for(Kind.REMINDER, preference) == ["sms"]


def test_choices_are_kept_compactly_and_followed_by_the_next_notice(resident, queued):
    everything_but_reminders = [k for k in notices.CHANNEL_KINDS["email"] if k != Kind.REMINDER]
    notices.save_choices(
        resident, {"sms": [Kind.PROMOTED, Kind.MESSAGE], "email": everything_but_reminders}
    )

    stored = NoticePreference.objects.get(user=resident).channels
    assert stored == {
        "sms": {"cancelled": False, "time_changed": False, "reminder": False, "message": True},
        "email": {"reminder": False},
    }
    notify(resident, Kind.REMINDER, REMINDER, "", params=PARAMS)
    assert queued == []
    notify(resident, Kind.MESSAGE, "开会", "", params=MESSAGE)
    assert [c["channel"] for c in queued] == ["sms", "email"]


def test_the_same_key_tells_a_person_once(resident, queued):
    first = notify(resident, Kind.REMINDER, REMINDER, "", params=PARAMS, key="shift-7:day-before")
    again = notify(resident, Kind.REMINDER, REMINDER, "", params=PARAMS, key="shift-7:day-before")
    other = notify(make_user("别人"), Kind.REMINDER, REMINDER, "", params=PARAMS, key=first.key)

    assert again.pk == first.pk
    assert Notice.objects.filter(recipient=resident).count() == 1
    assert other.pk != first.pk
    assert len(queued) == 4  # two channels for each person told, none for the repeat


def test_mail_leaves_after_commit_with_a_full_link(
    settings, resident, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.org/"
    resident.email = "wang@example.com"
    resident.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        notify(resident, Kind.PROMOTED, "有空位了", "/events/my/", params=PLACE)
        assert mail.outbox == []  # nothing inside the transaction

    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert mail.outbox[0].body == "有空位了\n\nhttps://portal.example.org/events/my/"
    assert mail.outbox[0].subject == "公园路社区：候补转正"


def test_a_rolled_back_change_leaves_no_notice_and_sends_nothing(
    resident, django_capture_on_commit_callbacks
):
    resident.email = "wang@example.com"
    resident.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(resident, Kind.PROMOTED, "有空位了", "/events/my/", params=PLACE)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass

    assert not Notice.objects.exists()
    assert mail.outbox == [] and callbacks == []


def test_inbox_only_writes_notices_and_queues_nothing(resident, queued):
    with notices.inbox_only():
        notify(resident, Kind.PROMOTED, "演示消息", "")

    assert Notice.objects.filter(recipient=resident).count() == 1
    assert queued == []


def test_a_notice_leaves_everyones_cached_pages_alone(
    community, resident, queued, django_capture_on_commit_callbacks
):
    before = portal_cache.versions(portal_cache.NAMESPACES)

    with django_capture_on_commit_callbacks(execute=True):
        notify(resident, Kind.PROMOTED, "有空位了", "", params=PLACE)
        notices.mark_all_read(resident)
        notices.save_choices(resident, {"sms": [], "email": []})

    assert portal_cache.versions(portal_cache.NAMESPACES) == before


def test_staff_messages_to_many_read_the_preferences_once(
    community, resident, elder, parent, queued, django_assert_max_num_queries
):
    notices.save_choices(elder, {"sms": [Kind.MESSAGE], "email": []})
    people = [resident, elder, parent, resident]  # a person listed twice is told once

    # the preferences and the community's name once, then one insert for each person
    with django_assert_max_num_queries(2 + 3):
        told = notices.notify_many(people, Kind.MESSAGE, "明天停水", "/volunteers/", params=MESSAGE)

    assert told == 3
    assert Notice.objects.filter(kind=Kind.MESSAGE).count() == 3
    assert sorted((c["user"].pk, c["channel"]) for c in queued) == sorted(
        [(resident.pk, "email"), (elder.pk, "sms"), (parent.pk, "email")]
    )


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("sent_at", "starts_at", "urgent"),
    [
        (at(2026, 9, 1, 10), at(2026, 9, 1, 18), True),
        (at(2026, 9, 1, 22), at(2026, 9, 2, 7, 30), True),
        (at(2026, 9, 1, 15), at(2026, 9, 2, 9, 59), True),
        (at(2026, 9, 1, 22), at(2026, 9, 2, 10), False),
        (at(2026, 9, 2, 0, 30), at(2026, 9, 3, 7), False),
        (at(2026, 9, 1, 10), at(2026, 9, 8, 10), False),
    ],
    ids=[
        "later-today",
        "tomorrow-before-the-quiet-hours-end",
        "tomorrow-within-two-hours-of-tonights-quiet-hours-end",
        "tomorrow-two-hours-after-they-end",
        "after-midnight-for-the-next-day",
        "next-week",
    ],
)
def test_a_notice_is_urgent_when_a_text_held_for_the_morning_would_come_too_late(
    sent_at, starts_at, urgent
):
    assert notices.urgent_for(starts_at, at=sent_at) is urgent


def test_a_text_kind_carries_what_its_template_needs_whichever_module_sends_it(
    settings, resident, queued, caplog
):
    """One approved template a kind serves every module (notices.SMS_PARAMS): a notice lacking
    one of its kind's parameters is refused in the tests and logged in production."""
    with pytest.raises(ValueError, match="lacks time"):
        notify(resident, Kind.PROMOTED, "有空位了", "", params={"title": "亲子游园"})
    assert not Notice.objects.exists() and queued == []

    settings.NOTICES_STRICT_PARAMS = False
    notify(resident, Kind.PROMOTED, "有空位了", "", params={"title": "亲子游园"})
    assert "lacks time" in caplog.text
    assert Notice.objects.count() == 1  # the inbox still has it; the text fails visibly

    settings.NOTICES_STRICT_PARAMS = True
    notify(resident, Kind.OTHER, "别的消息", "")  # a kind texts do not carry needs nothing
    assert Notice.objects.count() == 2


def test_the_example_templates_ask_only_for_what_every_text_of_their_kind_carries():
    """.env.example's SMS_TEMPLATES works for every module's texts (a template asking for a
    parameter some module's text lacks would fail those texts at the provider)."""
    from pathlib import Path

    from portal.sms import parse_templates

    line = next(
        line
        for line in (Path(__file__).resolve().parents[2] / ".env.example").read_text().splitlines()
        if line.startswith("SMS_TEMPLATES=")
    )
    templates = parse_templates(line.split("=", 1)[1])
    assert set(notices.SMS_PARAMS) <= set(templates)
    for kind, required in notices.SMS_PARAMS.items():
        _code, names = templates[kind]
        assert set(names) <= set(required), kind
