"""Staff messages to many people: a preview with the recipients per channel and the text's SMS
segments, then the worker notifies each person (never inside the request).

A module's "message these people" view calls `respond(...)`: the first POST shows the preview,
the confirming POST writes one `Broadcast` row (the recipients fixed) and redirects to its
progress page. The task `send_broadcast` calls the module's per-person sender for each
recipient; the deliveries those notices queue are tagged with the broadcast, so the progress
page counts them (sent / failed / waiting).
"""

import logging
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, F
from django.shortcuts import redirect, render
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Broadcast, Delivery, User
from portal.sms import segments

log = logging.getLogger(__name__)


# The message as the staff wrote it: their words go in as a parameter, never as the pattern
# itself, so a "%" they typed is just a character.
AS_WRITTEN = "%(message)s"


def _params(broadcast) -> dict:
    """What a staff message's text carries (portal.notices.SMS_PARAMS): what it is about (the
    post, team, activity or course it was sent from) and the message."""
    return {"title": broadcast.title, "message": broadcast.text}


def _notify_volunteer(user, broadcast):
    from portal.notices import Kind, notify

    notify(
        user,
        Kind.MESSAGE,
        AS_WRITTEN,
        broadcast.url,
        params=_params(broadcast),
        key=f"broadcast:{broadcast.pk}",
    )


def _notify_about(user, broadcast):
    """The message, prefixed with what it is about (an activity, a course)."""
    from portal.notices import Kind, notify

    notify(
        user,
        Kind.MESSAGE,
        gettext_lazy("About “%(activity)s”: %(message)s"),
        broadcast.url,
        params={"activity": broadcast.title, **_params(broadcast)},
        key=f"broadcast:{broadcast.pk}",
    )


# Where a broadcast comes from: the module's view passes one to `respond(source=...)`, and the
# row keeps it to pick the sender.
FROM_VOLUNTEERS = "volunteers"
FROM_EVENTS = "events"
FROM_CLASSES = "classes"

# Who notifies one person for each source: `sender(user, broadcast)` puts the notice in the one
# inbox (portal.notices), which queues the texts and mails the person chose. The key makes a
# broadcast resumed after a killed worker tell nobody twice.
SENDERS = {
    FROM_VOLUNTEERS: _notify_volunteer,
    FROM_EVENTS: _notify_about,
    FROM_CLASSES: _notify_about,
}
CHUNK = 50  # people notified per transaction; progress is saved after each


class MessageForm(forms.Form):
    """The box on a roster or list where staff write to the people on it (then a preview)."""

    text = forms.CharField(
        label=gettext_lazy("Message"), max_length=400, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Message"), max_length=400, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(gettext_lazy("Write the message first."))
        return text


def channel_counts(users) -> dict:
    """How many of these people the message reaches in the inbox, by text and by mail."""
    users = list(users)
    return {
        "inbox": len(users),
        "sms": sum(1 for u in users if u.sms_number),
        "email": sum(1 for u in users if u.email),
    }


def sms_segments(text: str) -> int:
    """Billed segments of the text as the phone receives it (the sign name included)."""
    sign = settings.SMS_SIGN_NAME
    return segments(f"【{sign}】{text}" if sign else text)


def respond(request, *, source, title, recipients, url="", back_url="", action_url=None):
    """The view's whole POST: a preview, or (confirmed) the broadcast started and a redirect."""
    form = ConfirmForm(request.POST)
    users = list({u.pk: u for u in recipients}.values())
    if not form.is_valid():
        for error in form.errors.get("text", []):
            messages.error(request, error)
        return redirect(back_url or "home")
    text = form.cleaned_data["text"]
    if not users:
        messages.error(request, _("Nobody to send it to."))
        return redirect(back_url or "home")
    if not form.cleaned_data["confirm"]:
        ctx = {
            "title": title,
            "text": text,
            "counts": channel_counts(users),
            "segments": sms_segments(text),
            "characters": len(text),
            "form": ConfirmForm(initial={"text": text, "confirm": True}),
            "action_url": action_url or request.path,
            "back_url": back_url,
        }
        return render(request, "portal/broadcast_preview.html", ctx)
    broadcast = start(
        source=source, title=title, text=text, users=users, url=url, back_url=back_url,
        by=request.user,
    )  # fmt: skip
    messages.success(request, _("The message is being sent in the background."))
    return redirect("broadcast-progress", pk=broadcast.pk)


def start(*, source, title, text, users, url, back_url, by) -> Broadcast:
    """Write the broadcast (recipients fixed) and hand it to the worker after commit."""
    if source not in SENDERS:
        raise ValueError(f"no sender for {source!r}")
    with transaction.atomic():
        broadcast = Broadcast.objects.create(
            source=source,
            title=title[:200],
            text=text,
            url=url,
            back_url=back_url,
            recipients=[u.pk for u in users],
            created_by=by,
        )
        transaction.on_commit(partial(enqueue, broadcast.pk))
    return broadcast


def enqueue(broadcast_id: int) -> None:
    from portal.tasks import send_broadcast

    try:
        send_broadcast.enqueue(broadcast_id)
    except Exception:  # the row stays "waiting"; the sweep enqueues it again
        log.exception("Could not enqueue broadcast %s", broadcast_id)


def run(broadcast_id: int) -> str:
    """Notify each recipient not yet done, CHUNK per transaction, saving progress after each;
    a worker killed part-way leaves the rest for the next run. Returns the final state."""
    from portal.delivery import current_broadcast

    taken = Broadcast.objects.filter(
        pk=broadcast_id, state__in=[Broadcast.State.QUEUED, Broadcast.State.SENDING]
    ).update(state=Broadcast.State.SENDING, started_at=now())
    if not taken:
        return "skipped"
    broadcast = Broadcast.objects.get(pk=broadcast_id)
    sender = SENDERS[broadcast.source]
    token = current_broadcast.set(broadcast.pk)
    try:
        todo = broadcast.recipients[broadcast.processed :]
        for start_at in range(0, len(todo), CHUNK):
            ids = todo[start_at : start_at + CHUNK]
            people = User.objects.in_bulk(ids)
            with transaction.atomic():
                for pk in ids:
                    if pk in people and people[pk].is_active:
                        sender(people[pk], broadcast)
                done = F("processed") + len(ids)
                Broadcast.objects.filter(pk=broadcast.pk).update(processed=done)
    finally:
        current_broadcast.reset(token)
    Broadcast.objects.filter(pk=broadcast.pk).update(state=Broadcast.State.DONE, finished_at=now())
    return Broadcast.State.DONE


def progress(broadcast: Broadcast) -> dict:
    """People done, and the texts and mails sent, failed and waiting (one query)."""
    by_state = dict(
        broadcast.deliveries.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    waiting = sum(by_state.get(s, 0) for s in ("queued", "held", "sending"))
    return {
        "people": len(broadcast.recipients),
        "processed": broadcast.processed,
        "sent": by_state.get(Delivery.State.SENT, 0),
        "failed": by_state.get(Delivery.State.FAILED, 0),
        "waiting": waiting,
        "done": broadcast.state == Broadcast.State.DONE and not waiting,
    }


def sweep(moment=None) -> int:
    """Enqueue again the staff messages a killed worker left unfinished (or never started)."""
    from datetime import timedelta

    moment = moment or now()
    before = moment - timedelta(seconds=settings.DELIVERY_SENDING_TIMEOUT)
    stale = Broadcast.objects.filter(
        state__in=[Broadcast.State.QUEUED, Broadcast.State.SENDING], created_at__lt=before
    ).exclude(started_at__gte=before)
    ids = list(stale.values_list("pk", flat=True))
    for pk in ids:
        enqueue(pk)
    return len(ids)
