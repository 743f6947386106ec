import sys
import threading

from portal.sms import SmsMessage
from portal.sms.backends.base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Prints each text (the default: the demo shows its texts in the console)."""

    _lock = threading.Lock()

    def send(self, message: SmsMessage) -> str:
        stream = self.options.get("stream") or sys.stdout
        params = ", ".join(f"{k}={v}" for k, v in sorted(message.params.items()))
        with self._lock:
            stream.write(f"--- SMS to {message.to} · {message.kind} ({params})\n")
            stream.write(self.render(message) + "\n")
            stream.flush()
        return f"console-{message.reference}"
