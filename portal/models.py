"""The shared layer: residents' accounts, households, the community's settings, announcements."""

import base64
import hashlib
import hmac
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import localdate, now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.fields import ImageField
from portal.lib.ages import age_on
from portal.lib.images import ThumbnailMixin
from portal.lib.localized import LocalizedMixin, english_version
from portal.singleton import SingletonSettings
from portal.validators import validate_birth_date, validate_image_file, validate_mainland_mobile


class Address(models.Model):
    """Building / unit / room (楼栋/单元/房号), the way addresses are written in the community."""

    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)

    class Meta:
        abstract = True

    @property
    def address(self) -> str:
        parts = []
        if self.building:
            parts.append(_("Building %(building)s") % {"building": self.building})
        if self.unit:
            parts.append(_("Unit %(unit)s") % {"unit": self.unit})
        if self.room:
            parts.append(_("Room %(room)s") % {"room": self.room})
        return " ".join(str(p) for p in parts)

    @property
    def building_sort_key(self) -> tuple:
        """Natural order of building, unit, room: used by route sheets and printable rosters."""

        def key(text):
            return (0, int(text), "") if text.isdigit() else (1, 0, text)

        return (key(self.building), key(self.unit), key(self.room))


class Household(Address):
    """The people who live at one address; children and elders without accounts belong here."""

    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return self.address or _("Household %(id)s") % {"id": self.pk}


class User(AbstractUser, Address):
    """A resident, volunteer or member of staff. Logs in with a mobile number or an email."""

    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mainland_mobile],
        error_messages={"unique": _("This mobile number is already registered.")},
    )
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, validators=[validate_birth_date]
    )
    privacy_consented_at = models.DateTimeField(
        _("agreed to the privacy notice at"), null=True, blank=True
    )
    large_text = models.BooleanField(_("large text"), default=False)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("Chosen with the language switch; mail and notices are written in it."),
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    # Texts go only to a verified mobile: by a code sent to it, or by staff at the office.
    mobile_verified = models.BooleanField(_("mobile verified"), default=False)
    mobile_verified_at = models.DateTimeField(_("mobile verified at"), null=True, blank=True)
    mobile_verified_by = models.ForeignKey(
        "self",
        verbose_name=_("mobile verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The member of staff who confirmed the number in person (empty: by code)."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.mobile or self.email or self.username

    display_name.fget.short_description = _("name")  # the admin's column title

    @property
    def masked_mobile(self) -> str:
        """138****0000: what a team-mate or a receipt may show."""
        if not self.mobile:
            return ""
        return f"{self.mobile[:3]}****{self.mobile[-4:]}"

    def age_on(self, day: date) -> int | None:
        return age_on(self.birth_date, day)

    @property
    def sms_number(self) -> str | None:
        """The number texts may go to: the mobile, once it is verified."""
        return self.mobile if self.mobile and self.mobile_verified else None

    def preferred_language(self) -> str:
        """The language to write to this person in: their choice, else the portal's default."""
        from django.conf import settings

        supported = {code for code, _name in settings.LANGUAGES}
        return self.language if self.language in supported else settings.LANGUAGE_CODE

    def has_role(self, role: str) -> bool:
        """True if the user is in the role's group. Uses prefetched groups when present."""
        if self.is_superuser:
            return True
        return any(g.name == role for g in self.groups.all())


class HouseholdMemberQuerySet(models.QuerySet):
    def current(self):
        """Members still in their household: what pickers, forms and My household offer."""
        return self.filter(left_on__isnull=True)


class HouseholdMember(models.Model):
    """A person of a household: an account holder (user set) or someone without an account.

    A member who leaves is never deleted: their enrolments, registrations, meals and hours are
    the community's history and keep pointing at them (`left_on` hides them from pickers).
    """

    class Relation(models.TextChoices):
        SELF = "self", _("myself")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        GRANDPARENT = "grandparent", _("grandparent")
        GRANDCHILD = "grandchild", _("grandchild")
        OTHER = "other", _("other")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, validators=[validate_birth_date]
    )
    relation = models.CharField(
        _("relation"), max_length=20, choices=Relation.choices, default=Relation.OTHER
    )
    created_at = models.DateTimeField(_("created"), default=now, editable=False)
    left_on = models.DateField(_("left the household on"), null=True, blank=True)
    left_recorded_by = models.ForeignKey(
        User,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = HouseholdMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household_id", "created_at", "id"]
        constraints = [
            # A member without an account must at least have a name to be found by.
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="member_named_or_account"
            ),
        ]
        indexes = [
            # "children of my household" for enrolment and registration forms
            models.Index(fields=["household", "relation"], name="member_household_relation"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.user_id and not self.name:
            return self.user.display_name
        return self.name

    @property
    def dob(self) -> date | None:
        """The birth date: the account's when the member has one, else the member's own."""
        if self.user_id and self.user.birth_date:
            return self.user.birth_date
        return self.birth_date

    def age_on(self, day: date) -> int | None:
        return age_on(self.dob, day)

    @property
    def has_left(self) -> bool:
        return self.left_on is not None

    # A household's children (enrolled in classes by its adults): sons, daughters and
    # grandchildren, and any other member without an account of their own under this age.
    CHILD_RELATIONS = ("child", "grandchild")
    ADULT_AGE = 18

    @classmethod
    def children_q(cls, today: date) -> Q:
        """`filter()` for the members `is_child_on(today)`."""
        try:
            born_after = today.replace(year=today.year - cls.ADULT_AGE)
        except ValueError:  # 29 February
            born_after = today.replace(year=today.year - cls.ADULT_AGE, day=28)
        return Q(relation__in=cls.CHILD_RELATIONS) | Q(
            user__isnull=True, birth_date__gt=born_after, relation=cls.Relation.OTHER
        )

    def is_child_on(self, today: date) -> bool:
        if self.relation in self.CHILD_RELATIONS:
            return True
        if self.user_id or self.relation != self.Relation.OTHER:
            return False
        age = self.age_on(today)
        return age is not None and age < self.ADULT_AGE


class Community(SingletonSettings, Address):
    """The one community this portal serves, and the numbers and days its services run on.

    A single row (pk=1), edited by staff in the admin; every module reads its knobs from here so
    another community can adopt the portal without code.
    """

    name = models.CharField(_("community name"), max_length=100, default="公园路社区")
    subdistrict = models.CharField(_("subdistrict"), max_length=100, default="龙泉街道")
    committee_name = models.CharField(
        _("issuing body"),
        max_length=100,
        default="公园路社区居民委员会",
        help_text=_("Shown as the issuer on certificates and receipts."),
    )
    street_address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    about = models.TextField(_("about the community"), blank=True)

    # Volunteers: the Red Star Service Day.
    service_day_of_month = models.PositiveSmallIntegerField(
        _("Red Star Service Day (day of month)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Canteen: the price range, the Love Meal day.
    meal_price_min = models.DecimalField(
        _("lowest meal price (yuan)"), max_digits=6, decimal_places=2, default=Decimal("12.00")
    )
    meal_price_max = models.DecimalField(
        _("highest meal price (yuan)"), max_digits=6, decimal_places=2, default=Decimal("16.00")
    )
    # The elders' subsidy (age, amount, funder, validity) lives in the canteen's subsidy rules
    # only: that is what the counter charges and what the claim to the funder adds up.
    love_meal_day_of_month = models.PositiveSmallIntegerField(
        _("Love Meal day (day of month)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Events: when the gate starts accepting tickets.
    event_check_in_opens_hours = models.PositiveSmallIntegerField(
        _("event check-in opens (hours before the start)"),
        default=2,
        validators=[MaxValueValidator(24)],
        help_text=_("The gate refuses tickets earlier than this, and says when it opens."),
    )
    # Classes: the children's age range.
    child_age_min = models.PositiveSmallIntegerField(_("youngest child age"), default=5)
    child_age_max = models.PositiveSmallIntegerField(_("oldest child age"), default=12)

    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community settings")
        verbose_name_plural = _("community settings")
        constraints = [
            # The monthly settlement and price checks rely on a sane range.
            models.CheckConstraint(
                condition=Q(meal_price_min__lte=models.F("meal_price_max")),
                name="community_meal_price_range",
            ),
            models.CheckConstraint(
                condition=Q(child_age_min__lte=models.F("child_age_max")),
                name="community_child_age_range",
            ),
        ]

    def __str__(self):
        return self.name


class AnnouncementQuerySet(models.QuerySet):
    def published(self):
        """Visible on the home page: published and not in the future, pinned first."""
        return self.filter(is_published=True, published_at__lte=now()).order_by(
            "-pinned", "-published_at"
        )


class Announcement(ThumbnailMixin, LocalizedMixin, models.Model):
    """A notice staff write for residents, with an optional image (and its thumbnail)."""

    title = models.CharField(_("title"), max_length=120)
    title_en = english_version(120)
    body = models.TextField(_("text"))
    image = ImageField(
        _("image"),
        upload_to="announcements/%Y/%m/",
        blank=True,
        validators=[validate_image_file],
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="announcements/thumbs/%Y/%m/", blank=True, editable=False
    )
    is_published = models.BooleanField(_("published"), default=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    published_at = models.DateTimeField(_("publish at"), default=now)
    created_by = models.ForeignKey(
        User, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [
            # the home page's "latest announcements"
            models.Index(fields=["is_published", "-published_at"], name="announcement_feed"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("announcement-detail", args=[self.pk])


class ConsentChange(models.Model):
    """A consent a resident gave or withdrew, and when: what "Your data" shows them."""

    class Consent(models.TextChoices):
        NAME_PUBLIC = "name_public", _("my name on public team pages")
        PHOTO = "photo", _("photos of my children in class")

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="consent_changes"
    )
    consent = models.CharField(_("consent"), max_length=20, choices=Consent.choices)
    given = models.BooleanField(_("given"))
    at = models.DateTimeField(_("at"), default=now, editable=False)

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-at", "-id"]
        indexes = [
            # "when did I give it": the latest change per consent on Your data
            models.Index(fields=["user", "consent", "-at"], name="consent_user_latest"),
        ]

    def __str__(self):
        return f"{self.get_consent_display()}: {self.given}"


class AccountDeletion(models.Model):
    """The log of a deleted account, for staff: when, which account (by number), what was removed
    and what was kept for the community's accounts. Holds no personal data.

    `removed` and `kept` map a model ("app_label.model") to a number of rows.
    """

    account_id = models.PositiveIntegerField(_("account number"))
    deleted_at = models.DateTimeField(_("deleted at"), default=now, editable=False)
    removed = models.JSONField(_("removed"), default=dict)
    kept = models.JSONField(_("kept, pseudonymised"), default=dict)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        ordering = ["-deleted_at", "-id"]

    def __str__(self):
        return _("Deleted account #%(id)s") % {"id": self.account_id}


class MobileReveal(models.Model):
    """One time a person's full mobile number was shown to someone who asked to see it.

    Lists show numbers masked; the full number is shown only through the "show number" action,
    which records who saw whose number, when, on which page and why. Community admins read this
    log in the admin; nobody edits it.
    """

    viewer = models.ForeignKey(
        User,
        verbose_name=_("shown to"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="mobile_reveals_made",
    )
    person = models.ForeignKey(
        User,
        verbose_name=_("whose number"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="mobile_reveals",
    )
    shown_at = models.DateTimeField(_("shown at"), default=now, editable=False)
    place = models.CharField(_("page"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("mobile number shown")
        verbose_name_plural = _("mobile numbers shown")
        ordering = ["-shown_at", "-id"]
        indexes = [
            # the admin's log, newest first, and "whose number was looked at"
            models.Index(fields=["person", "-shown_at"], name="mobile_reveal_person"),
        ]

    def __str__(self):
        return _("%(viewer)s saw %(person)s's number") % {
            "viewer": self.viewer or "—",
            "person": self.person or "—",
        }


class NoticeQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def about(self, path_prefix: str):
        """The notices linking into one part of the portal (a module's pages show theirs)."""
        return self.filter(url__startswith=path_prefix)


class Notice(models.Model):
    """A message to one person in their inbox (我的消息), from any module.

    Written by `portal.notices.notify`, which also decides whether it comes by text or mail.
    """

    class Kind(models.TextChoices):
        PROMOTED = "promoted", _("place from the waiting list")
        CANCELLED = "cancelled", _("cancellation")
        TIME_CHANGED = "time_changed", _("changed time or place")
        REMINDER = "reminder", _("reminder")
        CONFIRMED = "confirmed", _("sign-up or registration")
        LOTTERY = "lottery", _("lottery result")
        TEAM_DECIDED = "team_decided", _("team application decided")
        STALL_REVIEWED = "stall_reviewed", _("stall application reviewed")
        HOURS = "hours", _("service hours")
        MESSAGE = "message", _("message from the organisers")
        NEWSLETTER = "newsletter", _("newsletter")
        TEAM_APPLICATION = "team_application", _("for leaders: a team application")
        TO_DECIDE = "to_decide", _("for staff: waiting for your decision")
        OTHER = "other", _("other")

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=200, blank=True)
    key = models.CharField(
        _("key"),
        max_length=100,
        blank=True,
        help_text=_("Names one occasion (a reminder for one shift): a second notice is not sent."),
    )
    created_at = models.DateTimeField(_("sent at"), default=now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the inbox, newest first, and the unread count in the navigation
            models.Index(fields=["recipient", "read_at"], name="portal_notice_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="portal_notice_inbox"),
        ]
        constraints = [
            # `notify(..., key=...)` tells one person about one occasion once
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notice_once_per_key"
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def kind_label(self) -> str:
        return str(self.Kind(self.kind).label) if self.kind in self.Kind.values else self.kind


class NoticePreference(models.Model):
    """Which kinds of notice one person also gets by text message or by email.

    Stores only the choices that differ from the defaults (`portal.notices.DEFAULT_CHANNELS`),
    so a kind added later starts at its default; a person without a row gets the defaults.
    """

    user = models.OneToOneField(
        User,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notice_preference",
    )
    # {"sms": {"reminder": false}, "email": {"hours": true}}: per channel, kinds off or on
    channels = models.JSONField(_("channels"), default=dict)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notice preferences")
        verbose_name_plural = _("notice preferences")

    def __str__(self):
        return str(self.user)


class Broadcast(models.Model):
    """A message staff send to many people at once (a day's volunteers, an activity's
    households): previewed, then handed to the worker, which notifies each recipient in turn."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        SENDING = "sending", _("sending")
        DONE = "done", _("done")

    source = models.CharField(_("sent from"), max_length=30)
    title = models.CharField(_("about"), max_length=200)
    text = models.TextField(_("text"))
    url = models.CharField(_("link in the notice"), max_length=200, blank=True)
    back_url = models.CharField(_("back to"), max_length=200, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)  # account ids, fixed at sending
    processed = models.PositiveIntegerField(_("people done"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="queued")
    created_by = models.ForeignKey(
        User, verbose_name=_("sent by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff message")
        verbose_name_plural = _("staff messages")

    def __str__(self):
        return self.title


class DeliveryQuerySet(models.QuerySet):
    def due(self, moment):
        """Waiting rows whose time has come (queued, or held through quiet hours)."""
        return self.filter(
            state__in=[Delivery.State.QUEUED, Delivery.State.HELD], next_attempt_at__lte=moment
        )

    def stuck(self, before):
        """Rows a worker claimed before `before` and never finished (it was killed)."""
        return self.filter(state=Delivery.State.SENDING, claimed_at__lt=before)


class Delivery(models.Model):
    """One text or mail to one person: written with the change that causes it, sent by the worker.

    The row is the outbox: the worker claims it (state "sending", committed) before it calls the
    provider, and records the outcome after. `portal.delivery` holds every change of state.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("text message")
        EMAIL = "email", _("email")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        HELD = "held", _("held for quiet hours")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # Empty only for a code or account mail to a number or address with no account yet.
    user = models.ForeignKey(
        User,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind of message"), max_length=50)
    to = models.CharField(
        _("sent to"), max_length=254, help_text=_("The number or address when it was queued.")
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    params = models.JSONField(_("template parameters"), default=dict, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=now)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    broadcast = models.ForeignKey(
        Broadcast,
        verbose_name=_("staff message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    created_at = models.DateTimeField(_("created"), default=now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the sweep: waiting rows that are due, sending rows that are stuck
            models.Index(fields=["state", "next_attempt_at"], name="delivery_state_due"),
            # a person's messages, newest first (admin, data export)
            models.Index(fields=["user", "-created_at"], name="delivery_user_recent"),
            # a staff message's progress page: its deliveries by state
            models.Index(fields=["broadcast", "state"], name="delivery_broadcast_state"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.kind} · {self.get_state_display()}"


class CalendarKey(models.Model):
    """The secret address of a person's own calendar: everything of theirs in one feed.

    The address carries a token of 256 bits, HMAC-SHA256 of a random salt under SECRET_KEY; the
    database keeps the salt and the token's SHA-256 only, so a copy of the database alone does not
    give the addresses (the page recomputes the token to show it again). Resetting draws a new
    salt: the old address stops working at once. Changing SECRET_KEY resets every address.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_key",
    )
    salt = models.CharField(_("salt"), max_length=64, editable=False)
    digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("made at"), default=now, editable=False)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self):
        return str(self.user)

    @property
    def token(self) -> str:
        return calendar_token(self.salt)


def calendar_token(salt: str) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"portal.my-calendar:{salt}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def calendar_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Partner organisations (辖区单位) --------------------------------------------------------
# One list for the whole portal: the classroom's partner education institutions and the units of
# the party-building alliance (党建联盟) are the same organisations.


class Partner(models.Model):
    """A partner organisation in the community's area (辖区单位): an office, firm, school…

    The contact's phone is private: only staff who need it see it, lists mask it.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government office")
        FIRM = "firm", _("Firm")
        SCHOOL = "school", _("School")
        HOSPITAL = "hospital", _("Hospital")
        SOCIAL = "social", _("Social organisation")
        EDUCATION = "education", _("Education institution")
        OTHER = "other", _("Other")

    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    about = models.TextField(pgettext_lazy("of an organisation", "about"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_user = models.ForeignKey(
        "portal.User",
        verbose_name=_("contact's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partners",
        help_text=_("The account of the contact person: they see their own organisation."),
    )
    is_active = models.BooleanField(_("active partner"), default=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerMember(models.Model):
    """A party member working at a partner who registered with the community (在职党员报到)."""

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    name = models.CharField(_("name"), max_length=50)
    user = models.ForeignKey(
        "portal.User",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_memberships",
    )
    registered_on = models.DateField(_("registered with the community on"), default=localdate)

    class Meta:
        verbose_name = _("party member registered with the community")
        verbose_name_plural = _("party members registered with the community")
        ordering = ["partner", "name"]

    def __str__(self):
        return f"{self.name} · {self.partner}"
