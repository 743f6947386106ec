"""Every kind a resident may have by text has one parameter set every module fills
(notices.SMS_PARAMS), so one approved template a kind serves them all. The modules' own flows
are checked in tests/<app>/test_sms_params.py; here: the rule itself, words put into the
recipient's language, and the staff messages."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from portal import broadcasts, notices
from portal.models import Notice
from portal.notices import Kind, notify, phrase
from tests.factories import make_user, text_params, wants_every_text

# a full set for each kind a resident may choose to have by text
FULL = {
    Kind.PROMOTED: {"title": "亲子游园", "time": "2026-06-13 09:00"},
    Kind.CANCELLED: {"title": "亲子游园", "time": "2026-06-13 09:00", "reason": "下雨"},
    Kind.TIME_CHANGED: {"title": "补鞋", "time": "2026-03-10 10:00", "place": "3号楼"},
    Kind.REMINDER: {"title": "补鞋", "time": "2026-03-10 09:00", "place": "3号楼"},
    Kind.CONFIRMED: {"title": "补鞋", "time": "2026-03-10 09:00"},
    Kind.LOTTERY: {"title": "热门乐高", "result": "已抽中名额"},
    Kind.TEAM_DECIDED: {"title": "补鞋队", "result": "申请已通过"},
    Kind.STALL_REVIEWED: {"title": "跳蚤市场", "result": "已通过，摊位号 1"},
    Kind.HOURS: {"title": "补鞋", "result": "已更正为3小时"},
    Kind.MESSAGE: {"title": "红星服务日", "message": "明天停水"},
}
TEXT_KINDS = notices.CHANNEL_KINDS["sms"]


def test_every_kind_that_may_come_by_text_has_its_parameters():
    assert set(notices.SMS_PARAMS) == set(TEXT_KINDS) == set(FULL)
    for kind, names in notices.SMS_PARAMS.items():
        assert set(names) == set(FULL[kind]), kind


@pytest.mark.parametrize(
    ("kind", "missing"),
    [(kind, name) for kind in TEXT_KINDS for name in notices.SMS_PARAMS[kind]],
    ids=[f"{kind.value}-{name}" for kind in TEXT_KINDS for name in notices.SMS_PARAMS[kind]],
)
def test_a_notice_lacking_one_of_its_kinds_parameters_is_refused(resident, kind, missing):
    params = {name: value for name, value in FULL[kind].items() if name != missing}

    with pytest.raises(ValueError, match=f"lacks {missing}"):
        notify(resident, kind, "消息", "", params=params)

    assert not Notice.objects.exists()


@pytest.mark.parametrize("kind", TEXT_KINDS, ids=[kind.value for kind in TEXT_KINDS])
def test_a_full_set_goes_into_the_text_as_it_is(resident, kind):
    wants_every_text(resident)

    notify(resident, kind, "消息", "", params=FULL[kind], urgent=True)

    assert text_params(resident, kind) == [FULL[kind]]


def test_a_phrase_is_put_into_words_in_each_recipients_language_not_the_senders(db):
    english_reader = wants_every_text(make_user("Anna"))
    english_reader.language = "en"
    english_reader.save(update_fields=["language"])
    chinese_reader = wants_every_text(make_user("孙爷爷"))
    result = phrase(gettext_lazy("declined: %(reason)s"), reason="摊位已满")

    for sender_language, reader in (("zh-hans", english_reader), ("en", chinese_reader)):
        with translation.override(sender_language):
            notify(
                reader,
                Kind.STALL_REVIEWED,
                "%(title)s: %(result)s",
                "",
                params={"title": "跳蚤市场", "result": result},
            )

    assert text_params(english_reader, Kind.STALL_REVIEWED)[0]["result"] == "declined: 摊位已满"
    assert text_params(chinese_reader, Kind.STALL_REVIEWED)[0]["result"] == "未通过：摊位已满"
    assert Notice.objects.get(recipient=chinese_reader).text == "跳蚤市场: 未通过：摊位已满"


@pytest.mark.parametrize(
    ("source", "inbox"),
    [
        (broadcasts.FROM_VOLUNTEERS, "周六九折，即原价的90%；明天停水"),
        (broadcasts.FROM_EVENTS, "关于“红星服务日”：周六九折，即原价的90%；明天停水"),
        (broadcasts.FROM_CLASSES, "关于“红星服务日”：周六九折，即原价的90%；明天停水"),
    ],
    ids=["volunteers", "events", "classes"],
)
def test_a_staff_message_text_says_what_it_is_about_and_the_message_as_written(
    coordinator, source, inbox, django_capture_on_commit_callbacks
):
    person = wants_every_text(make_user("甲"))
    text = "周六九折，即原价的90%；明天停水"  # a "%" the staff typed is just a character

    with django_capture_on_commit_callbacks(execute=True):
        broadcasts.start(
            source=source, title="红星服务日", text=text, users=[person], url="", back_url="",
            by=coordinator,
        )  # fmt: skip

    (params,) = text_params(person, Kind.MESSAGE)
    assert (params["title"], params["message"]) == ("红星服务日", text)
    assert Notice.objects.get(recipient=person).text == inbox
