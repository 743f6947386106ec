"""Outgoing texts and mails: one row per delivery, written in the caller's transaction and sent
after commit by the background worker (never inside a request or under a row lock).

This is the contract every module reaches people through (via ``portal.notices.notify``).

How a row moves: ``queued`` (or ``held`` through quiet hours) → ``sending`` (claimed by one
worker, committed before the provider is called) → ``sent``, or back to ``queued`` with a later
``next_attempt_at`` after a temporary error, or ``failed`` after a permanent one or the last
retry. ``sweep`` re-enqueues rows that are due but have no task left (quiet hours over, a retry
under a backend that cannot defer) and rows left in ``sending`` by a killed worker.
"""

import contextvars
import hashlib
import logging
import smtplib
import uuid
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.timezone import now

from portal.lib import quiet_hours

log = logging.getLogger(__name__)

# The staff message being sent (portal.broadcasts), if any: its deliveries are tagged with it.
current_broadcast: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "portal_current_broadcast", default=None
)


def queue_message(
    *,
    user,
    channel: str,
    kind: str,
    text: str,
    params: dict | None = None,
    subject: str = "",
    urgent: bool = False,
    key: str | None = None,
):
    """Queue one text message (``channel="sms"``) or mail (``channel="email"``) to ``user``.

    Writes a delivery row in the current transaction (nothing is sent if it rolls back) and, on
    commit, hands it to the background worker. ``kind`` names the kind of message (it picks the
    provider's pre-approved SMS template); ``text`` is the message rendered in the recipient's
    language (what the console backend prints and staff see); ``params`` are the template's
    variables. A non-urgent text is held until the end of the recipient's quiet hours. ``key``
    makes the call idempotent: a second call with the same key queues nothing. Returns the
    delivery row (the existing one for a repeated key), or ``None`` when the person has no
    address for that channel (no verified mobile, no email).

    Keys are kept per person and channel, so one key may serve a notice's text and its mail.
    """
    from portal.models import Delivery

    if channel == Delivery.Channel.SMS:
        to = user.sms_number
    elif channel == Delivery.Channel.EMAIL:
        to = user.email
    else:
        raise ValueError(f"unknown channel {channel!r}")
    if not to:
        return None
    full_key = _full_key(f"{channel}:{user.pk}:{key}") if key else uuid.uuid4().hex
    return _queue(
        fresh_key=not key,
        user=user,
        channel=channel,
        to=to,
        kind=kind,
        text=text,
        params=params,
        subject=subject,
        urgent=urgent,
        key=full_key,
    )


def queue_code(*, user, to: str, channel: str, kind: str, text: str, params: dict, subject=""):
    """Queue a one-time code (or an account mail) to a number or address not yet verified.

    Urgent (no quiet hours) and never deduplicated: each request for a code is its own message.
    Rate limits on asking for codes are allauth's (ACCOUNT_RATE_LIMITS).
    """
    return _queue(
        user=user,
        channel=channel,
        to=to,
        kind=kind,
        text=text,
        params=params,
        subject=subject,
        urgent=True,
        key=uuid.uuid4().hex,
        fresh_key=True,
    )


def _full_key(raw: str) -> str:
    return raw if len(raw) <= 200 else "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def _queue(*, user, channel, to, kind, text, params, subject, urgent, key, fresh_key=False):
    from portal.models import Delivery

    moment = now()
    state, when = Delivery.State.QUEUED, moment
    if channel == Delivery.Channel.SMS and not urgent:
        quiet_end = quiet_hours_end(moment)
        if quiet_end is not None:
            state, when = Delivery.State.HELD, quiet_end
    fields = {
        "user": user,
        "channel": channel,
        "to": to,
        "kind": kind,
        "text": text,
        "params": params or {},
        "subject": subject[:200],
        "urgent": urgent,
        "state": state,
        "next_attempt_at": when,
        "created_at": moment,
        "broadcast_id": current_broadcast.get(),
    }
    if fresh_key:  # nothing to look up: one INSERT (staff messages queue thousands)
        delivery, created = Delivery.objects.create(key=key, **fields), True
    else:
        delivery, created = Delivery.objects.get_or_create(key=key, defaults=fields)
    if created:
        transaction.on_commit(partial(enqueue, delivery.pk, when, urgent))
    return delivery


def quiet_hours_end(moment: datetime) -> datetime | None:
    """When the quiet hours around `moment` end, or None if `moment` is outside them."""
    hours = quiet_hours.configured()
    local = timezone.localtime(moment)
    if hours is None or not quiet_hours.is_quiet(local, hours):
        return None
    return quiet_hours.quiet_until(local, hours)


def enqueue(delivery_id: int, when: datetime | None = None, urgent: bool = False) -> None:
    """Hand a delivery to the task queue (after commit). A backend that cannot defer gets only
    rows that are due now; `sweep` enqueues the others when their time comes."""
    from portal.tasks import send_delivery

    task = send_delivery
    backend = task.get_backend()
    if urgent and backend.supports_priority:  # the Redis queue has no priorities
        task = task.using(priority=10)
    if when is not None and when > now():
        if not backend.supports_defer:
            return
        task = task.using(run_after=when)
    try:
        task.enqueue(delivery_id)
    except Exception:  # the row is safe; the sweep enqueues it again
        log.exception("Could not enqueue delivery %s", delivery_id)


def claim(delivery_id: int, moment: datetime | None = None):
    """Take one due row for sending: mark it "sending" and commit, so no other worker takes it.

    Returns the row, or None when it is not due or someone else has it. The provider is called
    only after this commits, never under the lock.
    """
    from portal.models import Delivery

    moment = moment or now()
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update(skip_locked=True)
            .due(moment)
            .filter(pk=delivery_id)
            .first()
        )
        if row is None:
            return None
        # The state in the filter makes the claim safe where rows cannot be locked (SQLite).
        taken = (
            Delivery.objects.due(moment)
            .filter(pk=delivery_id)
            .update(state=Delivery.State.SENDING, claimed_at=moment, attempts=F("attempts") + 1)
        )
    if not taken:
        return None
    row.state, row.claimed_at, row.attempts = Delivery.State.SENDING, moment, row.attempts + 1
    return row


def deliver(delivery_id: int) -> str:
    """Send one delivery if it is due and nobody else is sending it; record what happened.

    Returns the state it ended in (or "skipped"). Used by the task and by the tests.
    """
    from portal.models import Delivery

    row = claim(delivery_id)
    if row is None:
        return "skipped"
    try:
        message_id = _send(row)
    except PermanentError as exc:
        return _record_failure(row, exc.reason, permanent=True)
    except TemporaryError as exc:
        return _record_failure(row, exc.reason, permanent=False)
    except Exception as exc:  # a bug or a misconfiguration: keep the row, try again later
        log.exception("Delivery %s raised", row.pk)
        return _record_failure(row, f"{type(exc).__name__}: {exc}", permanent=False)
    Delivery.objects.filter(pk=row.pk, state=Delivery.State.SENDING).update(
        state=Delivery.State.SENT,
        sent_at=now(),
        provider_message_id=(message_id or "")[:100],
        last_error="",
    )
    return Delivery.State.SENT


class SendError(Exception):
    """The channel did not take the message; `reason` is kept on the row for staff."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class TemporaryError(SendError):
    """Try again later (with back-off)."""


class PermanentError(SendError):
    """Trying again cannot help: the row is failed at once."""


def _send(row) -> str:
    from portal import sms
    from portal.models import Delivery

    if row.channel == Delivery.Channel.SMS:
        message = sms.SmsMessage(
            to=row.to, text=row.text, kind=row.kind, params=row.params, reference=row.key
        )
        try:
            return sms.get_backend().send(message)
        except sms.PermanentSmsError as exc:
            raise PermanentError(exc.reason) from exc
        except sms.SmsError as exc:
            raise TemporaryError(exc.reason) from exc
    from django.core.mail import EmailMessage

    mail = EmailMessage(row.subject or row.text[:40], row.text, None, [row.to])
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"recipient refused: {exc.recipients}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryError(f"{type(exc).__name__}: {exc}") from exc
    return ""


def _record_failure(row, reason: str, *, permanent: bool) -> str:
    from portal.models import Delivery

    delays = settings.DELIVERY_RETRY_DELAYS
    if permanent or row.attempts > len(delays):
        Delivery.objects.filter(pk=row.pk, state=Delivery.State.SENDING).update(
            state=Delivery.State.FAILED, last_error=reason[:2000]
        )
        log.warning("Delivery %s failed: %s", row.pk, reason)
        return Delivery.State.FAILED
    retry_at = now() + timedelta(seconds=delays[row.attempts - 1])
    Delivery.objects.filter(pk=row.pk, state=Delivery.State.SENDING).update(
        state=Delivery.State.QUEUED, next_attempt_at=retry_at, last_error=reason[:2000]
    )
    enqueue(row.pk, retry_at, row.urgent)
    return Delivery.State.QUEUED


def sweep(moment: datetime | None = None, *, dry_run: bool = False) -> dict:
    """Enqueue again what has no task waiting for it: rows due for a while (quiet hours over, a
    retry under a backend that cannot defer, a lost task) and rows left "sending" by a worker
    that was killed. Safe to run at any time and twice: a task for a row that is not due, or is
    already someone else's, does nothing. Returns how many of each it found."""
    from portal.models import Delivery

    moment = moment or now()
    stuck_before = moment - timedelta(seconds=settings.DELIVERY_SENDING_TIMEOUT)
    stuck = list(Delivery.objects.stuck(stuck_before).values_list("pk", flat=True))
    if not dry_run and stuck:
        Delivery.objects.stuck(stuck_before).filter(pk__in=stuck).update(
            state=Delivery.State.QUEUED, next_attempt_at=moment
        )
    # Rows due a minute ago or more: a row that just became due still has its own task coming.
    due = Delivery.objects.due(moment - timedelta(seconds=60)).values_list("pk", "urgent")
    found = dict(due)
    if stuck:
        found.update(Delivery.objects.filter(pk__in=stuck).values_list("pk", "urgent"))
    if not dry_run:
        for pk, urgent in found.items():
            enqueue(pk, None, urgent)
    return {"stuck": len(stuck), "enqueued": len(found)}


def resend(delivery) -> bool:
    """Queue a failed delivery again (staff's "resend"), as a fresh series of attempts.

    A sent delivery is never sent again. Returns whether it was queued.
    """
    from portal.models import Delivery

    with transaction.atomic():
        changed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.FAILED).update(
            state=Delivery.State.QUEUED, attempts=0, next_attempt_at=now(), claimed_at=None
        )
        if changed:
            transaction.on_commit(partial(enqueue, delivery.pk, None, delivery.urgent))
    return bool(changed)
