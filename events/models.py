"""Festivals and events, their themed tracks and activities, registrations, tickets and stalls."""

import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.timezone import localdate, localtime, make_aware, now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import roles
from portal.calling_off import CalledOff
from portal.fields import ImageField
from portal.lib.images import ThumbnailMixin
from portal.lib.localized import LocalizedMixin, english_version
from portal.models import Household, HouseholdMember
from portal.questions import Kind as QuestionKind
from portal.questions import QuestionBase, kind_field
from portal.validators import validate_image_file

# Unambiguous characters for the short code staff type at the gate (no 0/O, 1/I/L).
TICKET_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TICKET_CODE_LENGTH = 8


def new_ticket_token() -> str:
    """The secret the QR code carries: 128 random bits, never an id or a name."""
    return secrets.token_urlsafe(16)


def new_ticket_code() -> str:
    """A short code printed under the QR code, for typing in when the camera fails."""
    return "".join(secrets.choice(TICKET_CODE_ALPHABET) for _ in range(TICKET_CODE_LENGTH))


class ThumbnailedImage(ThumbnailMixin, models.Model):
    """An uploaded image plus a Pillow-made web-sized copy that pages show."""

    image = ImageField(
        _("image"), upload_to="events/%Y/%m/", blank=True, validators=[validate_image_file]
    )
    thumbnail = models.ImageField(
        _("web-sized image"), upload_to="events/thumbs/%Y/%m/", blank=True, editable=False
    )
    # ThumbnailMixin: posters and activity pictures, shown large on the programme.
    thumbnail_size = (960, 960)

    class Meta:
        abstract = True


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published events; staff also see drafts (to preview before publishing)."""
        if user.is_authenticated and user.has_role(roles.EVENTS_STAFF):
            return self.all()
        return self.published()


class Event(LocalizedMixin, ThumbnailedImage):
    """A festival (with themed tracks) or a single community event."""

    class Kind(models.TextChoices):
        FESTIVAL = "festival", _("festival")
        EVENT = "event", _("event")

    title = models.CharField(_("title"), max_length=120)
    title_en = english_version(120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FESTIVAL)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Residents see only published events.")
    )
    cloned_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "id"]
        constraints = [
            # The programme's day filter walks from the first day to the last.
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")), name="event_days_in_order"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:programme", args=[self.pk])

    @property
    def days(self) -> list[date]:
        return [
            self.starts_on + timedelta(days=n)
            for n in range((self.ends_on - self.starts_on).days + 1)
        ]

    @property
    def is_past(self) -> bool:
        return self.ends_on < localdate()


class Track(models.Model):
    """A themed strand of a festival (睦邻歌, 睦邻乐, …) that groups its activities."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="tracks"
    )
    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=50)
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["event_id", "position", "id"]
        constraints = [
            # A track name is how residents filter the programme.
            models.UniqueConstraint(fields=["event", "name"], name="track_unique_name"),
        ]

    def __str__(self):
        return self.name


class ActivityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(event__is_published=True)

    def with_counts(self):
        """Annotate confirmed places and waiting people: one query for a whole programme."""
        return self.annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            ),
            waiting_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITING)
            ),
        )

    def for_audience(self, audience):
        """Activities for an age group; those for everyone belong to every group."""
        return self.filter(Q(audience=audience) | Q(audience=Activity.Audience.EVERYONE))

    def on_day(self, day: date):
        """Activities starting on a local (Asia/Shanghai) calendar day."""
        start = make_aware(datetime.combine(day, time.min))
        return self.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))


# Who counts as an adult accompanying a child (Activity.adults_accompany).
ADULT_AGE = 18


class Activity(LocalizedMixin, CalledOff, ThumbnailedImage):
    """One thing to do at an event: a contest, a run, a stall, a gala; maybe with registration."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("everyone")
        CHILDREN = "children", _("children")
        FAMILIES = "families", _("families")
        ADULTS = "adults", _("adults")
        ELDERS = "elders", _("elders")

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("activity")
        MARKET = "market", _("flea market (stall applications)")
        TASTING = "tasting", _("free tasting stall")
        SERVICE = "service", _("convenience-service stall")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="activities"
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    title = models.CharField(_("title"), max_length=120)
    title_en = english_version(120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ACTIVITY)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    audience = models.CharField(
        _("who it is for"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    min_age = models.PositiveSmallIntegerField(
        _("youngest age"), null=True, blank=True, help_text=_("Age on the day of the activity.")
    )
    max_age = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    adults_accompany = models.BooleanField(
        _("adults accompany children"),
        default=False,
        help_text=_(
            "For parent-child (亲子) activities: the age range applies to the children, and "
            "adults may register with them (not on their own)."
        ),
    )
    needs_registration = models.BooleanField(_("registration needed"), default=False)
    capacity = models.PositiveIntegerField(_("places"), default=0)
    household_limit = models.PositiveSmallIntegerField(
        _("places per household"), default=4, help_text=_("Confirmed and waiting together.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    cancel_until = models.DateTimeField(
        _("cancel until"),
        null=True,
        blank=True,
        help_text=_("Empty: residents may cancel until the activity starts."),
    )
    stall_count = models.PositiveSmallIntegerField(
        _("stalls"), default=0, help_text=_("Flea market: how many stalls can be given out.")
    )
    # The volunteers module's post staffing this stall, if staff made one
    # (`services.create_volunteer_post`); the stall stays if the post is deleted.
    volunteer_post = models.ForeignKey(
        "volunteers.Post",
        verbose_name=_("volunteer post"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="festival_stalls",
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lte=models.F("ends_at")), name="activity_times_in_order"
            ),
            # Age checks at registration assume a sane range.
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="activity_age_range",
            ),
        ]
        indexes = [
            # the programme: an event's activities in time order
            models.Index(fields=["event", "starts_at"], name="activity_programme"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:activity", args=[self.pk])

    def clean(self):
        """Admin-side checks with friendly messages (the database refuses the same cases)."""
        errors = {}
        if self.track_id and self.event_id and self.track.event_id != self.event_id:
            errors["track"] = _("Choose a track of this activity's event.")
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The activity cannot end before it starts.")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors["max_age"] = _("The oldest age cannot be below the youngest age.")
        if self.needs_registration and not self.capacity:
            errors["capacity"] = _("An activity with registration needs at least one place.")
        if errors:
            raise ValidationError(errors)

    @property
    def day(self) -> date:
        return localtime(self.starts_at).date()

    @property
    def places_left(self) -> int | None:
        """Needs `with_counts()`; None when the activity takes no registrations."""
        if not self.needs_registration:
            return None
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def cancel_deadline(self) -> datetime:
        return self.cancel_until or self.starts_at

    def registration_state(self, at: datetime) -> str:
        """ "called_off", "not_needed", "not_open", "open" or "closed" at the given moment."""
        if self.is_called_off:
            return "called_off"
        if not self.needs_registration:
            return "not_needed"
        if self.registration_opens_at and at < self.registration_opens_at:
            return "not_open"
        closes = self.registration_closes_at or self.starts_at
        if at >= closes:
            return "closed"
        return "open"

    def check_in_opens_at(self, hours_before: int) -> datetime:
        """When the gate starts accepting tickets (the community's setting, in hours)."""
        return self.starts_at - timedelta(hours=hours_before)

    def age_allows(self, age: int | None) -> bool:
        if self.min_age is None and self.max_age is None:
            return True
        if age is None:
            return False
        if self.adults_accompany and age >= ADULT_AGE:
            return True  # the range is the children's; adults come with them
        if self.min_age is not None and age < self.min_age:
            return False
        return self.max_age is None or age <= self.max_age

    @property
    def age_range_label(self) -> str:
        if self.min_age is not None and self.max_age is not None:
            return _("ages %(min)s–%(max)s") % {"min": self.min_age, "max": self.max_age}
        if self.min_age is not None:
            return _("ages %(min)s and over") % {"min": self.min_age}
        if self.max_age is not None:
            return _("up to age %(max)s") % {"max": self.max_age}
        return ""


class Question(QuestionBase):
    """Something an activity asks each registered person: typed answer or a consent to tick.

    The engine (form fields, checking answers) is the shared one in `portal.questions`.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = kind_field(
        [
            QuestionKind.TEXT,
            QuestionKind.NUMBER,
            QuestionKind.CHOICE,
            QuestionKind.YES_NO,
            QuestionKind.CONSENT,
        ]
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["activity_id", "position", "id"]


class Booking(models.Model):
    """The people one household registered in one go: confirmed together or waiting together.

    Its id orders the waiting list (bookings are created while the activity row is locked).
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="bookings"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        # the festival's figures count its registrations: a household change never erases them
        on_delete=models.PROTECT,
        related_name="event_bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_bookings",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Staff who registered the household on its behalf (e.g. by phone)."),
    )
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["id"]

    def __str__(self):
        return _("Booking %(id)s") % {"id": self.pk}


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self):
        return self.filter(status=Registration.Status.WAITING)

    def of_household(self, household_id):
        return self.filter(booking__household_id=household_id)


class Registration(models.Model):
    """One person's place (or place in line) at an activity, with their ticket and answers."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.CASCADE, related_name="registrations"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    member = models.ForeignKey(
        HouseholdMember,
        verbose_name=_("person"),
        null=True,
        blank=True,
        # the festival's figures count this person: a member who leaves is kept (left_on)
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    walk_in_name = models.CharField(
        _("walk-in name"), max_length=50, blank=True, help_text=_("Someone registered at the gate.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED
    )
    answers = models.JSONField(
        _("answers"), default=dict, blank=True, help_text=_("Question label → answer.")
    )
    ticket_token = models.CharField(
        _("ticket token"), max_length=40, unique=True, default=new_ticket_token, editable=False
    )
    ticket_code = models.CharField(
        _("ticket code"), max_length=12, unique=True, default=new_ticket_code, editable=False
    )
    created_at = models.DateTimeField(_("registered"), default=now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # who gave up the place (the household, staff calling the activity off) when cancelled_at is set
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["booking_id", "id"]
        constraints = [
            # A second registration for the same person (confirmed or waiting) is refused.
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=~Q(status="cancelled"),
                name="registration_one_per_person",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(walk_in_name=""),
                name="registration_person_or_walk_in",
            ),
        ]
        indexes = [
            # capacity counts and the attendee list of one activity
            models.Index(fields=["activity", "status"], name="registration_activity_status"),
        ]

    def __str__(self):
        return self.person_name

    def get_absolute_url(self):
        return reverse("events:ticket", args=[self.ticket_token])

    @property
    def person_name(self) -> str:
        return self.member.full_name if self.member_id else self.walk_in_name

    @property
    def is_walk_in(self) -> bool:
        return self.member_id is None

    def can_cancel(self, at: datetime) -> bool:
        return self.status != self.Status.CANCELLED and at < self.activity.cancel_deadline


class StallApplication(models.Model):
    """A resident asks for a flea-market stall; staff approve (with a stall number) or decline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a decision")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("flea market"),
        on_delete=models.CASCADE,
        related_name="stall_applications",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        related_name="stall_applications",
    )
    goods = models.CharField(_("what you will sell or swap"), max_length=200)
    needs_table = models.BooleanField(_("I need a table"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    stall_number = models.PositiveSmallIntegerField(_("stall number"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("applied"), default=now, editable=False)

    class Meta:
        verbose_name = _("stall application")
        verbose_name_plural = _("stall applications")
        ordering = ["activity_id", "created_at", "id"]
        constraints = [
            # Two stalls never share a number at one market.
            models.UniqueConstraint(
                fields=["activity", "stall_number"], name="stall_unique_number"
            ),
            # One open application per resident per market.
            models.UniqueConstraint(
                fields=["activity", "applicant"],
                condition=Q(status__in=["pending", "approved"]),
                name="stall_one_open_per_applicant",
            ),
        ]

    def __str__(self):
        return self.goods
