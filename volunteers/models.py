"""Volunteers: teams, the Red Star Service Day, service posts, sign-ups, attendance and hours."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.urls import NoReverseMatch, reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.calling_off import CalledOff
from portal.fields import ImageField
from portal.ledgers import AppendOnlyModel, AppendOnlyQuerySet, ExactSum, append_only_triggers
from portal.lib.lists import split_list, split_numbers
from portal.singleton import SingletonSettings
from portal.validators import validate_image_file


class Source:
    """The `source` codes saying where a post or membership came from, for every module.

    The modules calling `services.create_post` and `services.submit_volunteer_offer` pass these
    (never a copy typed by hand); a code ending in ":" is followed by the id of the other
    module's row. Staff read them in words (`source_label`), never as codes.
    """

    APPLY = "volunteers:apply"
    GENERATED = "volunteers:generated"
    COPIED = "volunteers:copied"
    PARENT_OFFER = "classes:parent-offer"
    # a Love Meal delivery's post (canteen.services): its volunteer finds the address on the
    # canteen's page for volunteers
    LOVE_MEAL_DELIVERY = "canteen.lovemealdelivery:"
    FESTIVAL_STALL = "events:activity:"
    ALLIANCE_PROJECT = "alliance:project:"
    DEMO = "demo"


CANTEEN_DELIVERIES_URL = "canteen:my-deliveries"

CHECKIN_SALT = "volunteers.post.checkin"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _new_verification_code() -> str:
    # 12 characters from an alphabet without look-alikes (0/O, 1/I/L), easy to read aloud.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class VolunteerSettings(SingletonSettings):
    """The volunteer module's rules, one row (pk=1) edited by the coordinator in the admin."""

    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancellation cut-off (hours before the start)"), default=24
    )
    signup_opens_days = models.PositiveSmallIntegerField(
        _("sign-up opens (days before the start)"), default=60
    )
    signup_closes_hours = models.PositiveSmallIntegerField(
        _("sign-up closes (hours before the start)"), default=0
    )
    checkin_window_minutes = models.PositiveSmallIntegerField(
        _("check-in window (minutes around the post's time)"), default=60
    )
    round_zero_below_minutes = models.PositiveSmallIntegerField(
        _("extra minutes credited as nothing below"),
        default=15,
        validators=[MaxValueValidator(60)],
    )
    round_half_below_minutes = models.PositiveSmallIntegerField(
        _("extra minutes credited as half an hour below"),
        default=45,
        validators=[MaxValueValidator(60)],
        help_text=_("From this many extra minutes on, a whole hour is credited."),
    )
    min_share_percent = models.PositiveSmallIntegerField(
        _("minimum share of the post attended (%)"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    star_thresholds = models.CharField(
        _("star levels (hours, comma separated)"),
        max_length=100,
        default="100,300,600,1000,1500",
        help_text=_(
            "Cumulative hours for 1★, 2★, 3★ … in increasing order, separated by commas (, or ，) "
            "or spaces."
        ),
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows before sign-ups need the leader's approval"), default=3
    )

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer settings")
        verbose_name_plural = _("volunteer settings")

    def __str__(self):
        return str(_("Volunteer settings"))

    def star_levels(self) -> list[Decimal]:
        try:
            return sorted(split_numbers(self.star_thresholds))
        except ValueError:  # checked on save (clean); an old bad row shows no star levels
            return []

    def clean(self):
        try:
            levels = split_numbers(self.star_thresholds)
        except ValueError as e:
            raise ValidationError(
                {"star_thresholds": _("“%(item)s” is not a number of hours.") % {"item": e}}
            ) from None
        if not levels:
            raise ValidationError({"star_thresholds": _("Give at least one star level.")})
        if any(b <= a for a, b in zip(levels, levels[1:], strict=False)) or levels[0] <= 0:
            raise ValidationError(
                {
                    "star_thresholds": _(
                        "Star levels must be positive and each above the one before."
                    )
                }
            )
        # Stored the one way the rest of the portal reads it, whatever separators were typed.
        self.star_thresholds = ",".join(f"{level.normalize():f}" for level in levels)

    def star_levels_text(self) -> str:
        """The levels as understood, e.g. "1★ 100 h · 2★ 300 h" (shown in the admin)."""
        return " · ".join(
            _("%(stars)s★ %(hours)s h") % {"stars": i, "hours": f"{level.normalize():f}"}
            for i, level in enumerate(self.star_levels(), start=1)
        )


class VolunteerProfile(models.Model):
    """A volunteer's record: number, privacy choice, calendar feed token, no-show hold."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="volunteer_profile",
    )
    number = models.CharField(_("volunteer number"), max_length=20, unique=True)
    show_name_publicly = models.BooleanField(_("show my name on public team pages"), default=False)
    calendar_token = models.CharField(
        _("calendar feed key"), max_length=64, unique=True, default=_new_token, editable=False
    )
    needs_approval = models.BooleanField(
        _("sign-ups need the leader's approval"),
        default=False,
        help_text=_("Set after too many no-shows; a leader clears it."),
    )
    no_shows_cleared_at = models.DateTimeField(_("no-shows cleared at"), null=True, blank=True)
    no_shows_cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("no-shows cleared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("joined"), default=now, editable=False)

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")

    def __str__(self):
        return f"{self.number} {self.user}"

    @property
    def public_name(self) -> str:
        """The name a public page may show: the real name only if the volunteer allows it."""
        if self.show_name_publicly:
            return self.user.display_name
        return str(_("A volunteer"))


class Team(models.Model):
    """One of the community's volunteer teams (志愿者队伍), with its flag."""

    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=60, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    flag = ImageField(
        _("flag"), upload_to="volunteers/flags/", blank=True, validators=[validate_image_file]
    )
    description = models.TextField(_("what the team does"), blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    is_open = models.BooleanField(
        _("open to all"),
        default=True,
        help_text=_("Restricted teams' posts are only for approved members."),
    )
    founded_on = models.DateField(_("flag presented on"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("volunteers:team-detail", args=[self.slug])

    def is_led_by(self, user) -> bool:
        return user.is_authenticated and self.leader_id == user.pk


class MembershipQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Membership.Status.APPROVED)

    def pending(self):
        return self.filter(status=Membership.Status.PENDING)


class Membership(models.Model):
    """An application to join a team (or the volunteer pool when team is empty) and its answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("member")
        DECLINED = "declined", _("declined")
        LEFT = "left", _("left the team")

    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("Empty: an offer to volunteer, for the coordinator to place."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="volunteer_memberships",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    message = models.TextField(_("message from the applicant"), blank=True)
    source = models.CharField(_("came from"), max_length=60, blank=True)
    decision_message = models.TextField(_("answer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), default=now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-created_at"]
        constraints = [
            # one open application or membership per person and team ("a second application")
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=Q(status__in=["pending", "approved"]),
                name="membership_one_active_per_team",
            ),
            # one pending offer to the volunteer pool per person (submit_volunteer_offer)
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(team__isnull=True, status="pending"),
                name="membership_one_pending_pool_offer",
            ),
        ]
        indexes = [
            # the leader's "applications waiting" list
            models.Index(fields=["team", "status"], name="membership_team_status"),
        ]

    def __str__(self):
        return f"{self.user} → {self.team or _('volunteer pool')}"

    @property
    def source_label(self) -> str:
        return source_label(self.source)


# What the `source` codes (`Source`) mean to staff, by prefix (staff never see the codes); another
# module's codes by its name, so older codes of that module read the same.
SOURCE_LABELS = [
    ("classes:", _("Neighbour Classroom (a parent's offer)")),
    (Source.APPLY, _("applied to the team")),
    (Source.GENERATED, _("generated for the service day")),
    (Source.COPIED, _("copied from another service day")),
    ("canteen", _("Love Meal delivery")),
    ("events:", _("festival activity")),
    ("alliance:", _("party-building alliance project")),
    (Source.DEMO, _("demo data")),
]


def source_label(code: str) -> str:
    """The translated origin of a membership or post; free text as it was written."""
    for prefix, label in SOURCE_LABELS:
        if code.startswith(prefix):
            return str(label)
    if ":" in code:  # an internal code without a label: say no more than that
        return str(_("another module"))
    return code


class ServiceDay(models.Model):
    """A Red Star Service Day (红星服务日): usually the 10th of the month."""

    date = models.DateField(_("date"), unique=True)
    title = models.CharField(_("title"), max_length=80, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("service day")
        verbose_name_plural = _("service days")
        ordering = ["date"]

    def __str__(self):
        return self.title or str(_("Red Star Service Day %(date)s") % {"date": self.date})

    def get_absolute_url(self):
        return reverse("volunteers:day-detail", args=[self.date.isoformat()])


class PostTemplate(models.Model):
    """A post every service day has; the coordinator generates a year of days from these."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE
    )
    title = models.CharField(_("title"), max_length=100)
    place = models.CharField(_("place"), max_length=100)
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("volunteers needed"), default=4)
    skills = models.CharField(_("skills wanted"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("post template")
        verbose_name_plural = _("post templates")
        ordering = ["team__sort_order", "start_time", "title"]
        constraints = [
            # a template's post must end after it starts on the same day
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="posttemplate_end_after_start"
            ),
        ]

    def __str__(self):
        return self.title


class PostQuerySet(models.QuerySet):
    def upcoming(self, at=None):
        return self.filter(end__gt=at or now()).order_by("start")

    def with_taken(self):
        """Annotate `taken` (places held) and `waiting` (waiting list length)."""
        held = [Signup.Status.CONFIRMED, Signup.Status.PENDING]
        return self.annotate(
            taken=Count("signups", filter=Q(signups__status__in=held), distinct=True),
            waiting=Count(
                "signups", filter=Q(signups__status=Signup.Status.WAITLISTED), distinct=True
            ),
        )


class Post(CalledOff, models.Model):
    """A service post (岗位): what, where, when and how many volunteers are needed."""

    service_day = models.ForeignKey(
        ServiceDay,
        verbose_name=_("service day"),
        null=True,
        blank=True,
        # A day with posts is not deleted from under them (and their sign-ups and hours).
        on_delete=models.PROTECT,
        related_name="posts",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    template = models.ForeignKey(
        PostTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        editable=False,
    )
    title = models.CharField(_("title"), max_length=100)
    place = models.CharField(_("place"), max_length=100)
    start = models.DateTimeField(_("starts at"))
    end = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(
        _("volunteers needed"), validators=[MinValueValidator(1)]
    )
    skills = models.CharField(_("skills wanted"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("created by module"),
        max_length=60,
        blank=True,
        help_text=_('e.g. "canteen:love-meal" for posts other modules create'),
    )
    checkin_key = models.CharField(max_length=64, default=_new_token, editable=False)
    residents_served = models.PositiveIntegerField(_("residents served"), default=0)
    items_repaired = models.PositiveIntegerField(_("items repaired"), default=0)
    meals_delivered = models.PositiveIntegerField(_("meals delivered"), default=0)
    outcome_note = models.TextField(_("what the post achieved"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["start", "title"]
        constraints = [
            # a post ends after it starts
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="post_end_after_start"),
            # at least one place
            models.CheckConstraint(condition=Q(capacity__gte=1), name="post_capacity_positive"),
            # generating a year twice creates nothing new
            models.UniqueConstraint(
                fields=["template", "service_day"], name="post_one_per_template_and_day"
            ),
        ]
        indexes = [
            # the calendar and "posts I can take": upcoming posts in time order
            models.Index(fields=["start"], name="post_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteers:post-detail", args=[self.pk])

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def skill_list(self) -> list[str]:
        return split_list(self.skills)

    @property
    def checkin_token(self) -> str:
        """The signed token printed in the post's QR code; forged or stale tokens fail."""
        return signing.Signer(salt=CHECKIN_SALT).sign(f"{self.pk}.{self.checkin_key}")

    @property
    def checkin_url(self) -> str:
        return reverse("volunteers:checkin", args=[self.checkin_token])

    @property
    def source_label(self) -> str:
        return source_label(self.source)

    @property
    def is_love_meal_delivery(self) -> bool:
        return self.source.startswith(Source.LOVE_MEAL_DELIVERY)

    @property
    def delivery_page_url(self) -> str:
        """Where the volunteer of a Love Meal delivery finds the address (the canteen's "my
        deliveries" page; the post itself is public and names only the building). Empty for
        other posts, or when the canteen module is not installed."""
        if not self.is_love_meal_delivery:
            return ""
        try:
            return reverse(CANTEEN_DELIVERIES_URL)
        except NoReverseMatch:
            return ""


class SignupQuerySet(models.QuerySet):
    def holding_place(self):
        return self.filter(status__in=[Signup.Status.CONFIRMED, Signup.Status.PENDING])

    def active(self):
        return self.filter(status__in=Signup.ACTIVE)


class Signup(models.Model):
    """A volunteer's place on a post (or on its waiting list) and their attendance."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        PENDING = "pending", _("waiting for the leader's approval")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        DECLINED = "declined", _("declined by the leader")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("not recorded")
        ATTENDED = "attended", _("attended")
        NO_SHOW = "no_show", _("did not come")

    ACTIVE = ["confirmed", "pending", "waitlisted"]

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="signups"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        # attendance and hours are counted from sign-ups: an account is pseudonymised, not deleted
        on_delete=models.PROTECT,
        related_name="volunteer_signups",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CONFIRMED
    )
    seat = models.PositiveSmallIntegerField(_("place number"), null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked out by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # the no-show mark (mark_no_show): who recorded it and when; a later check-in does not erase it
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("no-show recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendance_marked_at = models.DateTimeField(_("no-show recorded at"), null=True, blank=True)
    # the leader's answer to a sign-up waiting for approval (decide_signup)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # who gave up the place (the volunteer, a leader, whoever called the post off) and when
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    hours_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hours confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hours_confirmed_at = models.DateTimeField(_("hours confirmed at"), null=True, blank=True)
    reminded_day_before_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_morning_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("signed up at"), default=now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["post__start", "created_at"]
        constraints = [
            # one live sign-up per volunteer and post
            models.UniqueConstraint(
                fields=["post", "volunteer"],
                condition=Q(status__in=["confirmed", "pending", "waitlisted"]),
                name="signup_one_active_per_post",
            ),
            # each place on a post is held by one sign-up at most: the database's own guard
            # against overbooking, on top of the row lock in services.sign_up
            models.UniqueConstraint(fields=["post", "seat"], name="signup_one_per_seat"),
            # only sign-ups holding a place have a place number
            models.CheckConstraint(
                condition=Q(seat__isnull=True) | Q(status__in=["confirmed", "pending"]),
                name="signup_seat_only_when_holding",
            ),
            models.CheckConstraint(
                condition=Q(seat__isnull=True) | Q(seat__gte=1), name="signup_seat_positive"
            ),
        ]
        indexes = [
            # "my schedule" and the reminder command
            models.Index(fields=["volunteer", "status"], name="signup_volunteer_status"),
            # the waiting list in order
            models.Index(fields=["post", "status", "created_at"], name="signup_post_queue"),
        ]

    def __str__(self):
        return f"{self.volunteer} @ {self.post}"

    @property
    def holds_place(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.PENDING)


class HoursEntryQuerySet(AppendOnlyQuerySet):
    def total(self) -> Decimal:
        return self.aggregate(total=ExactSum("hours"))["total"] or Decimal("0")

    def per_month_of(self, year: int) -> dict[int, Decimal]:
        """Hours summed in the database per month (1–12) of `year`, and under 0 those of every
        other year: one query grouped by year and month (at most twelve rows a year of service,
        cheaper to build than a conditional month), whose values add up to the total. Months
        without hours are left out."""
        sums: dict[int, Decimal] = {}
        for served_year, month, hours in (
            self.values_list("served_on__year", "served_on__month")
            .annotate(hours=ExactSum("hours"))
            .order_by()
        ):
            key = month if served_year == year else 0
            sums[key] = sums.get(key, Decimal("0")) + hours
        return sums


class HoursEntry(AppendOnlyModel):
    """The hours ledger: every credited or corrected amount, with who and why.

    Append-only (`portal.ledgers`): certificates are issued from these rows, so a mistake is
    corrected by a CORRECTION row, never by editing or deleting one.
    """

    class Kind(models.TextChoices):
        CREDIT = "credit", _("credited")
        CORRECTION = "correction", _("correction")

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="volunteer_hours",
    )
    signup = models.ForeignKey(
        Signup,
        verbose_name=_("sign-up"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hours_entries",
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hours_entries",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hours_entries",
    )
    served_on = models.DateField(_("date served"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=now, editable=False)

    objects = HoursEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours ledger")
        ordering = ["-served_on", "-created_at"]
        constraints = [
            # a sign-up's hours are credited once; later changes are corrections
            models.UniqueConstraint(
                fields=["signup"],
                condition=Q(kind="credit"),
                name="hoursentry_one_credit_per_signup",
            ),
        ]
        # rows are never updated or deleted, below the application too (portal.ledgers)
        triggers = append_only_triggers()
        indexes = [
            # "my hours" per month, the team's hours this year
            models.Index(fields=["volunteer", "served_on"], name="hours_volunteer_day"),
            models.Index(fields=["team", "served_on"], name="hours_team_day"),
        ]

    def __str__(self):
        return f"{self.volunteer} {self.hours} h"


class CorrectionRequest(models.Model):
    """A volunteer's request to correct the hours credited for a post; the leader decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the leader")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    signup = models.ForeignKey(
        Signup, verbose_name=_("sign-up"), on_delete=models.CASCADE, related_name="corrections"
    )
    hours = models.DecimalField(
        _("hours I served"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    reason = models.CharField(_("why"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decision_reason = models.CharField(_("answer"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=now, editable=False)

    class Meta:
        verbose_name = _("hours correction request")
        verbose_name_plural = _("hours correction requests")
        ordering = ["-created_at"]
        constraints = [
            # one open request per sign-up
            models.UniqueConstraint(
                fields=["signup"],
                condition=Q(status="pending"),
                name="correction_one_pending_per_signup",
            ),
        ]

    def __str__(self):
        return f"{self.signup} → {self.hours} h"


class Certificate(AppendOnlyModel):
    """A numbered service-record certificate (志愿服务记录证明), frozen when issued (append-only:
    anyone can verify its code, so what it says never changes)."""

    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    verification_code = models.CharField(
        _("verification code"), max_length=20, unique=True, default=_new_verification_code
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="volunteer_certificates",
    )
    volunteer_name = models.CharField(_("volunteer's name"), max_length=50)
    volunteer_number = models.CharField(_("volunteer number"), max_length=20)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    posts_served = models.PositiveIntegerField(_("posts served"))
    first_served_on = models.DateField(_("from"), null=True, blank=True)
    last_served_on = models.DateField(_("to"), null=True, blank=True)
    content = models.TextField(_("content of service"))
    issuer = models.CharField(_("issued by"), max_length=100)
    issued_at = models.DateTimeField(_("issued at"), default=now, editable=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        # issued once and never rewritten, below the application too (portal.ledgers)
        triggers = append_only_triggers()

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("volunteers:certificate", args=[self.number])
