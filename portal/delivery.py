"""Outgoing texts and mails: one row per delivery, written in the caller's transaction and sent
after commit by the background worker (never inside a request or under a row lock).

This is the contract every module reaches people through (via ``portal.notices.notify``); the
implementation lands with the delivery queue.
"""


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
    """
    # Interim body until the queue lands: mail after commit, texts not yet (no SMS backend).
    from django.core.mail import send_mail
    from django.db import transaction

    if channel != "email" or not user.email:
        return None
    transaction.on_commit(lambda: send_mail(subject or text[:40], text, None, [user.email]))
    return None
