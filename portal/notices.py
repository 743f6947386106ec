"""One way to tell a person something: a notice in their inbox (我的消息), and the same text by
text message or mail when their preferences ask for it.

Every module calls `notify` (or `notify_many` for a message to many); nothing else writes
notices or sends mail. Texts and mails go through `portal.delivery.queue_message`, which writes
them in the caller's transaction and sends them after commit (never inside a request or under a
row lock), holding non-urgent texts until the end of the quiet hours.
"""

import contextlib
import contextvars
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.functional import lazy
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _

from portal import delivery
from portal.lib import quiet_hours
from portal.models import Community, Notice, NoticePreference, User

Kind = Notice.Kind
log = logging.getLogger(__name__)
CHANNELS = ("sms", "email")

# What each channel may carry: newsletters never by text, nor what only leaders and staff get
# (those come by mail).
CHANNEL_KINDS = {
    "sms": [
        Kind.PROMOTED,
        Kind.CANCELLED,
        Kind.TIME_CHANGED,
        Kind.REMINDER,
        Kind.CONFIRMED,
        Kind.LOTTERY,
        Kind.TEAM_DECIDED,
        Kind.STALL_REVIEWED,
        Kind.HOURS,
        Kind.MESSAGE,
    ],
    "email": list(Kind),
}
# What a person gets without choosing: by text only what they must not miss (a place that came
# free, a cancellation, a changed time, a reminder); by mail everything (only people who gave an
# address get mail, and that was always so).
DEFAULT_CHANNELS = {
    "sms": {Kind.PROMOTED, Kind.CANCELLED, Kind.TIME_CHANGED, Kind.REMINDER},
    "email": set(Kind),
}

# What a text of each kind that may go by text carries, whichever module sends it, so that one
# approved template a kind serves them all (SMS_TEMPLATES names them in the template's order,
# e.g. `cancelled=SMS_123:title|time|reason`): `title` what it is about, `time` when it starts
# (a course: its next session), `place` where, `reason` why, `result` how it turned out in a few
# translated words (see `phrase`), `message` the organisers' own words. A notice may carry more
# (its own text uses them); never fewer.
SMS_PARAMS = {
    Kind.PROMOTED: ("title", "time"),
    Kind.CANCELLED: ("title", "time", "reason"),
    Kind.TIME_CHANGED: ("title", "time", "place"),
    Kind.REMINDER: ("title", "time", "place"),
    Kind.CONFIRMED: ("title", "time"),
    Kind.LOTTERY: ("title", "result"),
    Kind.TEAM_DECIDED: ("title", "result"),
    Kind.STALL_REVIEWED: ("title", "result"),
    Kind.HOURS: ("title", "result"),
    Kind.MESSAGE: ("title", "message"),
}


def _phrase(text, params) -> str:
    return str(text) % params


_lazy_phrase = lazy(_phrase, str)


def phrase(text, **params):
    """`text % params`, put into words only when the notice is (so in the recipient's language,
    not the sender's): for a parameter that is itself translated words, such as a text's
    `result` ("declined: no table left"). `text` is a lazy translation."""
    return _lazy_phrase(text, params)


# Demo seeding writes notices without sending anything: see `inbox_only`.
_deliver = contextvars.ContextVar("portal_notices_deliver", default=True)


@contextlib.contextmanager
def inbox_only():
    """Write notices but queue no text or mail inside this block (used by seed_demo)."""
    token = _deliver.set(False)
    try:
        yield
    finally:
        _deliver.reset(token)


def channels_for(kind: str, preference: NoticePreference | None) -> list[str]:
    """The channels besides the inbox a notice of `kind` goes by, for this person's choices."""
    chosen = preference.channels if preference is not None else {}
    wanted = []
    for channel in CHANNELS:
        if kind not in CHANNEL_KINDS[channel]:
            continue
        override = chosen.get(channel, {}) if isinstance(chosen, dict) else {}
        on = override.get(kind) if isinstance(override, dict) else None
        if on is None:
            on = kind in DEFAULT_CHANNELS[channel]
        if on:
            wanted.append(channel)
    return wanted


def choices_of(user) -> dict[str, set[str]]:
    """{channel: kinds on} for the preferences page."""
    preference = NoticePreference.objects.filter(user=user).first()
    chosen = {channel: set() for channel in CHANNELS}
    for kind in Kind:
        for channel in channels_for(kind, preference):
            chosen[channel].add(kind.value)
    return chosen


@transaction.atomic
def save_choices(user, chosen: dict[str, Iterable[str]]) -> NoticePreference:
    """Keep which kinds come by text and by mail (only what differs from the defaults)."""
    channels = {}
    for channel in CHANNELS:
        on = set(chosen.get(channel, ()))
        differs = {
            kind.value: kind.value in on
            for kind in CHANNEL_KINDS[channel]
            if (kind.value in on) != (kind in DEFAULT_CHANNELS[channel])
        }
        if differs:
            channels[channel] = differs
    preference, _created = NoticePreference.objects.update_or_create(
        user=user, defaults={"channels": channels}
    )
    return preference


# A text held for the morning must still leave people this long to change their plans.
URGENT_MARGIN = timedelta(hours=2)


def urgent_for(starts_at: datetime, *, at: datetime | None = None) -> bool:
    """Whether a text about something starting at `starts_at` must not wait for the morning:
    it is today, or it starts less than `URGENT_MARGIN` after the coming quiet hours end."""
    at = localtime(at or now())
    if localtime(starts_at).date() <= at.date():
        return True
    hours = quiet_hours.configured()
    if hours is None:  # no quiet hours: nothing is held, so nothing needs to hurry
        return True
    start, _end = hours
    tonight = at.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    held_from = at if quiet_hours.is_quiet(at, hours) else tonight
    return starts_at < quiet_hours.quiet_until(held_from, hours) + URGENT_MARGIN


def notify(
    user,
    kind: str,
    text,
    url: str = "",
    *,
    subject=None,
    params: dict | None = None,
    urgent: bool = False,
    key: str | None = None,
) -> Notice:
    """Put a notice in `user`'s inbox and queue it by text or mail as they chose.

    `text` (and `subject`) may be lazy translations, rendered with `params` in the recipient's
    language: the person told is often not the one whose request caused it. `url` is what the
    notice is about (a path in the portal). `urgent` lets a text go out in the quiet hours (a
    class cancelled for this evening). `key` names the occasion: a second call with the same key
    for the same person writes and queues nothing and returns the first notice.
    """
    preference = NoticePreference.objects.filter(user=user).first()
    return _notify(user, kind, text, url, subject, params, urgent, key, preference, None)


def notify_role(role: str, kind: str, text, url: str = "", *, params=None, exclude=None) -> int:
    """`notify` every active account holding `role` (e.g. the events staff when a stall
    application waits for them), but not `exclude` (who caused it); returns how many."""
    users = User.objects.filter(groups__name=role, is_active=True).distinct()
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return notify_many(users, kind, text, url, params=params)


def notify_many(
    users, kind: str, text, url: str = "", *, subject=None, params=None, urgent=False
) -> int:
    """`notify` each of `users` once (a staff message to a day's volunteers, a cancelled class's
    parents); returns how many were told."""
    users = list({user.pk: user for user in users}.values())
    preferences = {
        p.user_id: p for p in NoticePreference.objects.filter(user__in=[u.pk for u in users])
    }
    community = Community.current() if subject is None else None  # once, not per person
    for user in users:
        preference = preferences.get(user.pk)
        _notify(user, kind, text, url, subject, params, urgent, None, preference, community)
    return len(users)


def time_span(start, end=None) -> str:
    """A text's `time` (SMS_PARAMS): "2026-06-13 09:00–11:00" in Asia/Shanghai; only the start
    when there is no end (a meal is served from; a confirmation says when to come)."""
    start = localtime(start)
    if end is None:
        return f"{start:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{localtime(end):%H:%M}"


def notify_moved(users, text, url: str, *, title: str, before: tuple, after: tuple) -> int:
    """Tell `users` (the people booked on a post or an activity) that its time or place changed:
    `before` and `after` are (start, end, place); `text` takes %(title)s, %(time)s, %(place)s and
    %(old)s. Urgent when either time is too close to wait for the morning. Returns how many
    were told (none when nothing changed)."""
    if tuple(before) == tuple(after):
        return 0
    (old_start, old_end, old_place), (start, end, place) = before, after
    old = time_span(old_start, old_end) + (f", {old_place}" if old_place != place else "")
    return notify_many(
        users,
        Kind.TIME_CHANGED,
        text,
        url,
        params={"title": title, "time": time_span(start, end), "place": place, "old": old},
        urgent=urgent_for(min(old_start, start)),
    )


def notify_called_off(users, text, url: str, *, title: str, start, end, reason: str) -> int:
    """Tell `users` (the people who had a place on a post, an activity or a meal) that it is
    called off: `text` takes %(title)s, %(time)s and %(reason)s (`end` may be None). Urgent when
    it was to start too soon to wait for the morning. Returns how many were told."""
    return notify_many(
        users,
        Kind.CANCELLED,
        text,
        url,
        params={"title": title, "time": time_span(start, end), "reason": reason},
        urgent=urgent_for(start),
    )


def _check_params(kind: Kind, params: dict | None) -> None:
    """A notice of a kind that goes by text carries what its template needs (`SMS_PARAMS`): a
    missing one is a programming error, refused when `NOTICES_STRICT_PARAMS` (the tests) and
    logged otherwise (the text then fails visibly at the provider's template, the notice stays)."""
    missing = [name for name in SMS_PARAMS.get(kind, ()) if name not in (params or {})]
    if not missing:
        return
    problem = f"a {kind.value!r} notice lacks {', '.join(missing)} (see SMS_PARAMS)"
    if getattr(settings, "NOTICES_STRICT_PARAMS", False):
        raise ValueError(problem)
    log.error(problem)


def _notify(user, kind, text, url, subject, params, urgent, key, preference, community) -> Notice:
    kind = Kind(kind)
    if _deliver.get():  # not for the demo's inbox-only notices
        _check_params(kind, params)
    with translation.override(user.preferred_language()):
        rendered = str(text) % params if params is not None else str(text)
        template_params = {name: str(value) for name, value in (params or {}).items()}
        if subject is not None:
            subject_text = str(subject) % params if params is not None else str(subject)
        else:
            subject_text = _("%(community)s: %(kind)s") % {
                "community": (community or Community.current()).name,
                "kind": kind.label,
            }
    if key:
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    recipient=user, kind=kind, text=rendered, url=url, key=key
                )
        except IntegrityError:  # told already (or by a concurrent call)
            return Notice.objects.get(recipient=user, key=key)
    else:
        notice = Notice.objects.create(recipient=user, kind=kind, text=rendered, url=url)
    if _deliver.get():
        for channel in channels_for(kind, preference):
            delivery.queue_message(
                user=user,
                channel=channel,
                kind=kind.value,
                text=_with_link(rendered, url) if channel == "email" else rendered,
                params=template_params,
                subject=subject_text,
                urgent=urgent,
                key=f"notice:{notice.pk}:{channel}",
            )
    unread_changed(user.pk)
    return notice


def _with_link(text: str, url: str) -> str:
    if not url:
        return text
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return f"{text}\n\n{base}{url}" if base else text


# --- the inbox ------------------------------------------------------------------------------


def unread_changed(user_id: int) -> None:
    """The person's unread count and their own cached pages (their notices show there) are stale;
    their kept row and roles are not."""
    from portal.cache import changed, inbox

    changed(inbox(user_id))


def unread_count(user) -> int:
    """How many unread notices the person has (the navigation's badge): cached in the person's
    inbox namespace, so most pages ask the database nothing; a new notice or one read shows at
    once."""
    from portal.cache import cached, inbox

    return cached(
        f"inbox-unread:{user.pk}",
        (inbox(user.pk),),
        lambda: Notice.objects.filter(recipient=user).unread().count(),
        timeout=60,
    )


@transaction.atomic
def mark_read(user, notice_ids: Iterable[int]) -> int:
    """Mark these of the person's own notices read; returns how many changed."""
    count = (
        Notice.objects.filter(recipient=user, pk__in=list(notice_ids))
        .unread()
        .update(read_at=now())
    )
    unread_changed(user.pk)
    return count


@transaction.atomic
def mark_all_read(user, *, about: str = "") -> int:
    """Mark all the person's notices read (only those linking under `about`, if given)."""
    notices = Notice.objects.filter(recipient=user).unread()
    if about:
        notices = notices.about(about)
    count = notices.update(read_at=now())
    unread_changed(user.pk)
    return count
