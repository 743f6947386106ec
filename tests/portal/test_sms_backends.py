"""SMS backends: console, locmem and file for development; Alibaba Cloud and Tencent Cloud
through their official SDKs, against a fake provider on 127.0.0.1."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import sms
from portal.sms import PermanentSmsError, SmsMessage, TemporarySmsError, parse_templates, segments
from tests.portal.fake_sms_provider import FakeProvider

REMINDER = SmsMessage(
    to="13711112222",
    text="您报名的红星服务日 12月10日 9:00 开始，请准时到岗。",
    kind="reminder",
    params={"time": "9:00", "date": "12月10日"},
    reference="delivery-key-1",
)


@pytest.mark.parametrize(
    ("length", "expected"),
    [(0, 0), (1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
    ids=["empty", "one", "70-one", "71-two", "134-two", "135-three", "201-three", "202-four"],
)
def test_segments_are_70_characters_alone_and_67_per_part(length, expected):
    assert segments("邻" * length) == expected


def test_the_console_backend_prints_the_text_as_the_phone_shows_it(settings):
    settings.SMS_SIGN_NAME = "公园路社区"
    stream = io.StringIO()
    message_id = sms.get_backend("console", stream=stream).send(REMINDER)
    printed = stream.getvalue()
    assert "13711112222" in printed and "reminder" in printed and "date=12月10日" in printed
    assert "【公园路社区】您报名的红星服务日 12月10日 9:00 开始" in printed
    assert message_id


def test_the_locmem_backend_keeps_texts_in_the_outbox():
    sms.get_backend("locmem").send(REMINDER)
    assert sms.outbox == [REMINDER]


def test_the_file_backend_writes_a_file_per_text(tmp_path, settings):
    settings.SMS_FILE_PATH = str(tmp_path / "texts")
    backend = sms.get_backend("file")
    backend.send(REMINDER)
    backend.send(REMINDER)
    files = sorted((tmp_path / "texts").iterdir())
    assert len(files) == 2
    assert "【公园路社区】您报名的红星服务日" in files[0].read_text(encoding="utf-8")


def test_an_unknown_backend_is_refused_loudly():
    with pytest.raises(ImproperlyConfigured):
        sms.get_backend("portal.sms.backends.nowhere.SmsBackend")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", {}),
        ("reminder=SMS_1", {"reminder": ("SMS_1", [])}),
        (
            " reminder = 1001:date|time , code=1002:code ",
            {"reminder": ("1001", ["date", "time"]), "code": ("1002", ["code"])},
        ),
    ],
    ids=["empty", "plain", "ordered-params"],
)
def test_sms_templates_are_read_from_the_environment_form(raw, expected):
    assert parse_templates(raw) == expected


@pytest.mark.parametrize(
    "raw", ["reminder", "=SMS_1", "reminder="], ids=["no-code", "no-kind", "empty"]
)
def test_a_malformed_sms_templates_value_is_refused(raw):
    with pytest.raises(ImproperlyConfigured):
        parse_templates(raw)


@pytest.fixture
def provider(settings):
    with FakeProvider() as fake:
        settings.SMS_ENDPOINT = fake.url
        settings.SMS_ACCESS_KEY_ID = "test-key-id"
        settings.SMS_ACCESS_KEY_SECRET = "test-key-secret"
        settings.SMS_SIGN_NAME = "公园路社区"
        settings.SMS_APP_ID = "1400000001"
        settings.SMS_TEMPLATES = "reminder=1001:date|time,verification_code=1002:code"
        yield fake


def test_alibaba_sends_the_template_its_parameters_the_sign_name_and_the_number(provider):
    message_id = sms.get_backend("alibaba").send(REMINDER)

    assert message_id == "900619746936498440^0"
    (request,) = provider.requests
    assert request["action"] == "SendSms" and request["signed"]
    assert request["PhoneNumbers"] == "13711112222"
    assert request["SignName"] == "公园路社区"
    assert request["TemplateCode"] == "1001"
    assert request["TemplateParam"] == '{"date": "12月10日", "time": "9:00"}'
    assert request["OutId"] == "delivery-key-1"


def test_tencent_sends_the_template_its_parameters_in_order_the_sign_name_and_the_number(
    provider,
):
    message_id = sms.get_backend("tencent").send(REMINDER)

    assert message_id == "2645:3187049318"
    (request,) = provider.requests
    assert request["action"] == "SendSms" and request["signed"]
    assert request["PhoneNumberSet"] == ["+8613711112222"]
    assert request["SmsSdkAppId"] == "1400000001"
    assert request["SignName"] == "公园路社区"
    assert request["TemplateId"] == "1001"
    assert request["TemplateParamSet"] == ["12月10日", "9:00"]
    assert request["SessionContext"] == "delivery-key-1"


@pytest.mark.parametrize("backend", ["alibaba", "tencent"])
@pytest.mark.parametrize(
    ("outcome", "error", "reason"),
    [
        ("rejected", PermanentSmsError, "IncorrectPhoneNumber|MOBILE_NUMBER_ILLEGAL"),
        ("throttled", TemporarySmsError, "LimitExceeded|LIMIT_CONTROL"),
        ("server_error", TemporarySmsError, "InternalError"),
        ("bad_gateway", TemporarySmsError, "502|Network|BadGateway"),
    ],
    ids=["rejected-number", "throttled", "server-error", "bad-gateway"],
)
def test_each_provider_answer_is_a_permanent_or_a_temporary_failure(
    provider, backend, outcome, error, reason
):
    import re

    provider.outcome = outcome
    with pytest.raises(error) as raised:
        sms.get_backend(backend).send(REMINDER)
    assert re.search(reason, raised.value.reason)
    assert type(raised.value) is error
    assert len(provider.requests) == 1  # the SDK itself never retried


@pytest.mark.parametrize("backend", ["alibaba", "tencent"])
def test_a_kind_without_a_template_is_a_permanent_failure_and_nothing_is_sent(provider, backend):
    message = SmsMessage(to="13711112222", text="x", kind="newsletter", params={})
    with pytest.raises(PermanentSmsError, match="no SMS template"):
        sms.get_backend(backend).send(message)
    assert provider.requests == []


@pytest.mark.parametrize("backend", ["alibaba", "tencent"])
def test_a_missing_template_parameter_is_a_permanent_failure(provider, backend):
    message = SmsMessage(to="13711112222", text="x", kind="reminder", params={"date": "1日"})
    with pytest.raises(PermanentSmsError, match="time"):
        sms.get_backend(backend).send(message)
    assert provider.requests == []


@pytest.mark.parametrize("backend", ["alibaba", "tencent"])
def test_a_provider_without_keys_is_refused_loudly(provider, settings, backend):
    settings.SMS_ACCESS_KEY_SECRET = ""
    with pytest.raises(ImproperlyConfigured):
        sms.get_backend(backend).send(REMINDER)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "state"),
    [("ok", "sent"), ("rejected", "failed"), ("throttled", "queued"), ("server_error", "queued")],
    ids=["ok", "rejected", "throttled", "server-error"],
)
def test_the_worker_records_what_the_real_provider_answered(
    provider, settings, django_capture_on_commit_callbacks, outcome, state
):
    from portal import delivery
    from tests.factories import make_user

    settings.SMS_BACKEND = "tencent"
    provider.outcome = outcome
    person = make_user("周短信", mobile="13711113333", mobile_verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        row = delivery.queue_message(
            user=person,
            channel="sms",
            kind="reminder",
            text="提醒",
            params={"date": "1日", "time": "9:00"},
            urgent=True,
        )
    row.refresh_from_db()
    assert row.state == state
    assert (row.provider_message_id != "") == (outcome == "ok")
    assert (row.last_error != "") == (outcome != "ok")
