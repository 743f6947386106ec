from portal import sms
from portal.sms import SmsMessage
from portal.sms.backends.base import BaseSmsBackend

# The same list as `portal.sms.outbox`, reachable from here too.
outbox = sms.outbox


class SmsBackend(BaseSmsBackend):
    """Keeps each text in `portal.sms.outbox` (tests)."""

    def send(self, message: SmsMessage) -> str:
        sms.outbox.append(message)
        return f"locmem-{len(sms.outbox)}"
