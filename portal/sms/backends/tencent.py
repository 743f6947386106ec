"""Tencent Cloud SMS (短信, API 2021-01-11) through its official SDK."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.sms import PermanentSmsError, SmsMessage, TemporarySmsError
from portal.sms.backends.base import TemplateSmsBackend

DEFAULT_ENDPOINT = "sms.tencentcloudapi.com"
_TEMPORARY = (
    "LimitExceeded",
    "RequestLimitExceeded",
    "InternalError",
    "ServerNetworkError",
    "ClientNetworkError",
    "FailedOperation.ContainSensitiveWord.Timeout",
)


def _temporary(code: str) -> bool:
    return (code or "").startswith(_TEMPORARY)


class SmsBackend(TemplateSmsBackend):
    def client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        key_id = self.options.get("access_key_id", settings.SMS_ACCESS_KEY_ID)
        secret = self.options.get("access_key_secret", settings.SMS_ACCESS_KEY_SECRET)
        if not key_id or not secret:
            raise ImproperlyConfigured("Set SMS_ACCESS_KEY_ID and SMS_ACCESS_KEY_SECRET.")
        endpoint = self.options.get("endpoint", settings.SMS_ENDPOINT) or DEFAULT_ENDPOINT
        parts = urlsplit(endpoint if "//" in endpoint else f"https://{endpoint}")
        http = HttpProfile(endpoint=parts.netloc, protocol=parts.scheme, reqTimeout=10)
        region = self.options.get("region", settings.SMS_REGION) or "ap-guangzhou"
        return sms_client.SmsClient(
            credential.Credential(key_id, secret), region, ClientProfile(httpProfile=http)
        )

    def send(self, message: SmsMessage) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        code, _names, values = self.template_for(message)
        app_id = self.options.get("app_id", settings.SMS_APP_ID)
        if not app_id:
            raise ImproperlyConfigured("Set SMS_APP_ID (the SmsSdkAppId) for Tencent Cloud SMS.")
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{message.to}"]
        request.SmsSdkAppId = app_id
        request.SignName = self.sign_name
        request.TemplateId = code
        request.TemplateParamSet = values
        request.SessionContext = message.reference[:512]
        try:
            response = self.client().SendSms(request)
        except TencentCloudSDKException as exc:
            reason = f"{exc.get_code()}: {exc.get_message()}"[:500]
            if _temporary(exc.get_code()):
                raise TemporarySmsError(reason) from exc
            raise PermanentSmsError(reason) from exc
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            raise TemporarySmsError("no send status in the provider's answer")
        if status.Code == "Ok":
            return status.SerialNo or ""
        reason = f"{status.Code}: {status.Message}"
        if _temporary(status.Code):
            raise TemporarySmsError(reason)
        raise PermanentSmsError(reason)
