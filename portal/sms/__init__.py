"""Text messages, sent through a pluggable backend like Django's email backends.

`SMS_BACKEND` names the backend class (or one of the short names in `BACKENDS`). Every backend
takes one `SmsMessage` and returns the provider's message id, or raises `TemporarySmsError` (try
again later: throttling, a server or network error) or `PermanentSmsError` (the provider refused
the message itself: a wrong number, a missing template). Only the delivery worker calls them.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

BACKENDS = {
    "console": "portal.sms.backends.console.SmsBackend",
    "locmem": "portal.sms.backends.locmem.SmsBackend",
    "file": "portal.sms.backends.file.SmsBackend",
    "alibaba": "portal.sms.backends.alibaba.SmsBackend",
    "tencent": "portal.sms.backends.tencent.SmsBackend",
}

# Filled by the locmem backend (tests), like `django.core.mail.outbox`.
outbox: list = []

SINGLE_SEGMENT = 70
PART_SEGMENT = 67


class SmsError(Exception):
    """The provider did not take the message; `reason` is what it said."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TemporarySmsError(SmsError):
    """Worth trying again later (throttled, provider or network down)."""


class PermanentSmsError(SmsError):
    """Trying again cannot help (the number or the template was refused)."""


@dataclass
class SmsMessage:
    to: str
    text: str
    kind: str = ""
    params: dict = field(default_factory=dict)
    reference: str = ""  # our delivery's key, passed to providers that echo it back


def segments(text: str) -> int:
    """How many billed segments a text takes: 70 characters fit one, a longer text is split
    into parts of 67 (the rest of each part carries the joining header)."""
    length = len(text or "")
    if length <= SINGLE_SEGMENT:
        return 1 if length else 0
    return -(-length // PART_SEGMENT)


def backend_path(name: str | None = None) -> str:
    name = name or settings.SMS_BACKEND
    return BACKENDS.get(name, name)


def get_backend(name: str | None = None, **options):
    """An instance of the configured SMS backend (or of `name`)."""
    path = backend_path(name)
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_BACKEND {path!r} cannot be imported: {exc}") from exc
    return backend_class(**options)


def parse_templates(raw: str) -> dict[str, tuple[str, list[str]]]:
    """`kind=CODE[:param|param],…` (the SMS_TEMPLATES variable) as {kind: (code, [params])}.

    The parameter names give the order of a template's variables for providers that number them
    (Tencent); without them the parameters go in the order of their names.
    """
    templates = {}
    for item in (raw or "").split(","):
        item = item.strip()
        if not item:
            continue
        kind, sep, rest = item.partition("=")
        code, _colon, names = rest.partition(":")
        if not sep or not kind.strip() or not code.strip():
            raise ImproperlyConfigured(f"SMS_TEMPLATES entries are kind=CODE; got {item!r}")
        params = [name.strip() for name in names.split("|") if name.strip()]
        templates[kind.strip()] = (code.strip(), params)
    return templates
