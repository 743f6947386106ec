import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.sms import SmsMessage
from portal.sms.backends.base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Writes each text to a file of its own in `SMS_FILE_PATH`."""

    def send(self, message: SmsMessage) -> str:
        folder = Path(self.options.get("file_path") or settings.SMS_FILE_PATH or "")
        if not str(folder) or str(folder) == ".":
            raise ImproperlyConfigured("Set SMS_FILE_PATH to use the file SMS backend.")
        folder.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        (folder / f"{message_id}.txt").write_text(
            f"To: {message.to}\nKind: {message.kind}\nParams: {message.params}\n\n"
            f"{self.render(message)}\n",
            encoding="utf-8",
        )
        return message_id
