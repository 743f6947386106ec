from django.conf import settings

from portal.sms import PermanentSmsError, SmsMessage


class BaseSmsBackend:
    """Sends one text; subclasses implement `send`."""

    def __init__(self, **options):
        self.options = options

    @property
    def sign_name(self) -> str:
        return self.options.get("sign_name", settings.SMS_SIGN_NAME)

    def render(self, message: SmsMessage) -> str:
        """The text as the phone shows it: the registered sign name, then the text."""
        return f"【{self.sign_name}】{message.text}" if self.sign_name else message.text

    def send(self, message: SmsMessage) -> str:
        raise NotImplementedError


class TemplateSmsBackend(BaseSmsBackend):
    """A mainland provider: each kind of message goes out as its pre-approved template."""

    def template_for(self, message: SmsMessage) -> tuple[str, list[str], list[str]]:
        """(template code, parameter names, their values in the template's order)."""
        from portal.sms import parse_templates

        templates = self.options.get("templates") or parse_templates(settings.SMS_TEMPLATES)
        if message.kind not in templates:
            raise PermanentSmsError(f"no SMS template configured for {message.kind!r}")
        code, names = templates[message.kind]
        names = names or sorted(message.params)
        missing = [name for name in names if name not in message.params]
        if missing:
            raise PermanentSmsError(
                f"template {code} needs {', '.join(missing)}, not given for {message.kind!r}"
            )
        return code, names, [str(message.params[name]) for name in names]
