"""Alibaba Cloud SMS (短信服务, Dysmsapi 2017-05-25) through its official SDK."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.sms import PermanentSmsError, SmsMessage, TemporarySmsError
from portal.sms.backends.base import TemplateSmsBackend

DEFAULT_ENDPOINT = "dysmsapi.aliyuncs.com"


def _temporary(code: str) -> bool:
    """Throttling, daily or hourly limits and the provider's own faults pass with time."""
    code = code or ""
    return (
        code.startswith(("Throttling", "InternalError", "ServiceUnavailable"))
        or "LIMIT_CONTROL" in code
        or code == "isp.SYSTEM_ERROR"
    )


class SmsBackend(TemplateSmsBackend):
    def client(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi

        key_id = self.options.get("access_key_id", settings.SMS_ACCESS_KEY_ID)
        secret = self.options.get("access_key_secret", settings.SMS_ACCESS_KEY_SECRET)
        if not key_id or not secret:
            raise ImproperlyConfigured("Set SMS_ACCESS_KEY_ID and SMS_ACCESS_KEY_SECRET.")
        endpoint = self.options.get("endpoint", settings.SMS_ENDPOINT) or DEFAULT_ENDPOINT
        parts = urlsplit(endpoint if "//" in endpoint else f"https://{endpoint}")
        return Client(
            openapi.Config(
                access_key_id=key_id,
                access_key_secret=secret,
                endpoint=parts.netloc,
                protocol=parts.scheme,
                region_id=self.options.get("region", settings.SMS_REGION) or "cn-hangzhou",
            )
        )

    def send(self, message: SmsMessage) -> str:
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_tea_util import models as util
        from Tea.exceptions import TeaException

        code, names, values = self.template_for(message)
        request = models.SendSmsRequest(
            phone_numbers=message.to,
            sign_name=self.sign_name,
            template_code=code,
            template_param=json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False),
            out_id=message.reference[:64] or None,
        )
        runtime = util.RuntimeOptions(
            connect_timeout=5000, read_timeout=10000, autoretry=False, max_attempts=1
        )
        try:
            response = self.client().send_sms_with_options(request, runtime)
        except TeaException as exc:
            status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
            reason = f"{exc.code or 'network'}: {getattr(exc, 'message', '') or exc}"[:500]
            if status is None or status >= 500 or _temporary(exc.code):
                raise TemporarySmsError(reason) from exc
            raise PermanentSmsError(reason) from exc
        body = response.body
        if body.code == "OK":
            return body.biz_id or ""
        reason = f"{body.code}: {body.message}"
        if _temporary(body.code):
            raise TemporarySmsError(reason)
        raise PermanentSmsError(reason)
