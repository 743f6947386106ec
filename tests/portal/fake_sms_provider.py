"""A tiny stand-in for Alibaba Cloud's and Tencent Cloud's SMS APIs on 127.0.0.1.

It answers each provider's real request with that provider's real response shape, so the
official SDKs can be pointed at it (SMS_ENDPOINT). `outcome` picks the answer: "ok",
"rejected" (a wrong number: permanent), "throttled" (temporary), "server_error" (the API's own
error, temporary) or "bad_gateway" (HTTP 502 in front of it, temporary).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ALIBABA = {
    "ok": (200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"}),
    "rejected": (200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}),
    "throttled": (
        200,
        {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"},
    ),
    "server_error": (500, {"Code": "InternalError", "Message": "The request processing failed."}),
    "bad_gateway": (502, {"Code": "BadGateway", "Message": "Bad gateway"}),
}
TENCENT_STATUS = {
    "ok": ("Ok", "send success"),
    "rejected": ("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误"),
    "throttled": (
        "LimitExceeded.PhoneNumberThirtySecondLimit",
        "单个手机号30秒内下发短信条数超过设定的上限",
    ),
}


class FakeProvider:
    def __init__(self):
        self.outcome = "ok"
        self.requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.headers.get("X-TC-Action"):
                    status, answer = provider.tencent(self.headers, json.loads(body or b"{}"))
                    content_type = "application/json"  # exactly: the SDK checks it
                else:
                    status, answer = provider.alibaba(self.headers, self.path)
                    content_type = "application/json;charset=utf-8"
                payload = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def alibaba(self, headers, path):
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        self.requests.append(
            {
                "provider": "alibaba",
                "action": headers.get("x-acs-action"),
                "signed": headers.get("Authorization", "").startswith("ACS3-HMAC-SHA256"),
                **query,
            }
        )
        status, answer = ALIBABA[self.outcome]
        return status, {**answer, "RequestId": f"req-{len(self.requests)}"}

    def tencent(self, headers, body):
        self.requests.append(
            {
                "provider": "tencent",
                "action": headers.get("X-TC-Action"),
                "signed": headers.get("Authorization", "").startswith("TC3-HMAC-SHA256"),
                **body,
            }
        )
        request_id = f"req-{len(self.requests)}"
        if self.outcome == "bad_gateway":
            return 502, {"message": "bad gateway"}
        if self.outcome == "server_error":
            error = {"Code": "InternalError.Timeout", "Message": "内部错误"}
            return 200, {"Response": {"Error": error, "RequestId": request_id}}
        code, message = TENCENT_STATUS[self.outcome]
        status = {
            "SerialNo": "2645:3187049318",
            "PhoneNumber": body["PhoneNumberSet"][0],
            "Fee": 1,
            "SessionContext": body.get("SessionContext", ""),
            "Code": code,
            "Message": message,
            "IsoCode": "CN",
        }
        return 200, {"Response": {"SendStatusSet": [status], "RequestId": request_id}}
