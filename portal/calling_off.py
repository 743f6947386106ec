"""Calling off something people have booked (a festival activity, a volunteer post): the row
stays, marked with when, by whom and why; every place on it is cancelled and each person booked is
told in one message (`portal.notices.notify_called_off`). The modules' services do the rest under
the row's lock; the admin calls them through `portal.admin_capacity.CallsOffAdmin`."""

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A reason goes into a text message: a sentence or two, not a letter.
MAX_REASON = 200


class CalledOff(models.Model):
    """When, by whom and why a row was called off (all empty while it goes ahead)."""

    called_off_at = models.DateTimeField(
        gettext_lazy("called off at"), null=True, blank=True, editable=False
    )
    called_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("called off by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    called_off_reason = models.CharField(
        gettext_lazy("why it was called off"), max_length=MAX_REASON, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_called_off(self) -> bool:
        return self.called_off_at is not None


def reason_refusal(reason: str) -> str | None:
    """Why a reason cannot be sent to the people booked (None: it can)."""
    if not reason.strip():
        return _("Say why, in a sentence: everyone booked will read it.")
    if len(reason.strip()) > MAX_REASON:
        return _("Keep the reason under %(count)d characters: it goes out as a text message.") % {
            "count": MAX_REASON
        }
    return None


def mark_called_off(obj: CalledOff, *, by, reason: str, at) -> None:
    """Record on the (locked) row when, by whom and why it is called off; the module's service
    has checked it may be, and cancels the places and tells the people."""
    obj.called_off_at, obj.called_off_by, obj.called_off_reason = at, by, reason.strip()
    obj.save(update_fields=["called_off_at", "called_off_by", "called_off_reason"])


def cancelled_by_call_off(parent: str, cancelled) -> models.Q:
    """The places (registrations, sign-ups, bookings) that calling off their `parent` (the
    relation's name: "activity", "post", "menu") cancelled: the services stamp each with the
    call-off's own moment (`at` of `mark_called_off`), so a place given up before does not match.
    `cancelled` is the place model's cancelled status."""
    return models.Q(
        status=cancelled,
        **{f"{parent}__called_off_at__isnull": False},
        cancelled_at=models.F(f"{parent}__called_off_at"),
    )


class CallOffForm(forms.Form):
    """The reason, asked before anything is called off (the admin's page and the leader's)."""

    reason = forms.CharField(
        label=gettext_lazy("Why (everyone booked reads this)"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
