"""The Neighbour Classroom (睦邻课堂): teachers (from partner institutions, `portal.Partner`),
terms, courses, sessions, enrolments, attendance and fees (their share goes to `fund`)."""

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from classes import lottery
from portal.fields import ImageField
from portal.ledgers import AppendOnlyModel, append_only_triggers
from portal.lib.images import ThumbnailMixin
from portal.lib.localized import LocalizedMixin, english_version
from portal.models import Community, HouseholdMember, Partner
from portal.singleton import SingletonSettings
from portal.validators import validate_image_file

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
# Labels looked up by value. Django's get_FOO_display() hashes every choice on each call, and
# each hash is a translation; the lists call these once per row.
WEEKDAY_NAMES = dict(WEEKDAYS)


class Teacher(models.Model):
    """Someone who teaches courses; linked to an account to see their own courses and registers."""

    name = models.CharField(_("name"), max_length=50)
    institution = models.ForeignKey(
        Partner,
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teachers",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teacher",
        help_text=_("With an account, the teacher sees their own courses, rosters and registers."),
    )
    about = models.TextField(_("about"), blank=True)

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Term(models.Model):
    """A teaching term; children's ages are counted on its first day."""

    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=50)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-starts_on"]
        constraints = [
            # Session generation walks from the first to the last day.
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="term_dates"),
        ]

    def __str__(self):
        return self.name


class Subject(models.TextChoices):
    LEGO = "lego", _("Lego")
    ENGLISH = "english", _("English")
    PAINTING = "painting", _("Painting")
    CALLIGRAPHY = "calligraphy", _("Calligraphy")
    MUSIC = "music", _("Music")
    DANCE = "dance", _("Dance")
    CHESS = "chess", _("Chess and Go")
    SCIENCE = "science", _("Science")
    READING = "reading", _("Reading")
    CRAFTS = "crafts", _("Handicrafts")
    SPORTS = "sports", _("Sports")
    OTHER = "other", _("Other")


class CourseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_counts(self):
        """Annotate `enrolled_count`: the places taken."""
        return self.annotate(
            enrolled_count=Count(
                "enrolments",
                filter=Q(enrolments__status=Enrolment.Status.ENROLLED),
                distinct=True,
            ),
        )

    def taught_by(self, user):
        return self.filter(teacher__user=user)

    def for_age(self, age: int):
        """Courses whose age range includes `age` (the public list's age filter)."""
        return self.filter(age_min__lte=age, age_max__gte=age)

    def meeting_on(self, weekday: int):
        """Courses with a weekly session on the weekday (0 = Monday)."""
        return self.filter(
            Exists(TimetableSlot.objects.filter(course=OuterRef("pk"), weekday=weekday))
        )


class Course(ThumbnailMixin, LocalizedMixin, models.Model):
    """A free course for children in one term, with a weekly timetable and a number of places."""

    class Mode(models.TextChoices):
        FCFS = "fcfs", _("First come, first served (with a waiting list)")
        LOTTERY = "lottery", _("Lottery after a sign-up window")

    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="courses"
    )
    title = models.CharField(_("title"), max_length=100)
    title_en = english_version(100)
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    institution = models.ForeignKey(
        Partner,
        verbose_name=_("partner institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
    )
    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
    )
    description = models.TextField(_("description"), blank=True)
    age_min = models.PositiveSmallIntegerField(_("youngest age"))
    age_max = models.PositiveSmallIntegerField(_("oldest age"))
    place = models.CharField(_("place"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    picture = ImageField(
        _("picture"), upload_to="classes/%Y/", blank=True, validators=[validate_image_file]
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="classes/thumbs/%Y/", blank=True, editable=False
    )
    # ThumbnailMixin: the course cards' small picture.
    thumbnail_source = "picture"
    thumbnail_size = (480, 360)
    enrol_opens_at = models.DateTimeField(_("enrolment opens"))
    enrol_closes_at = models.DateTimeField(_("enrolment closes"))
    mode = models.CharField(
        _("enrolment mode"), max_length=10, choices=Mode.choices, default=Mode.FCFS
    )
    needs_photo_consent = models.BooleanField(
        _("ask for photo permission"),
        default=True,
        help_text=_("Parents say whether the child may be photographed in class."),
    )
    fee = models.DecimalField(
        _("materials or service fee (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_(
            "Per child per term; courses are free by default. A share goes to the "
            "micro-fund when the fee is paid."
        ),
    )
    is_published = models.BooleanField(_("published"), default=True)
    lottery_seed = models.CharField(_("lottery seed"), max_length=64, blank=True, editable=False)
    lottery_commitment = models.CharField(
        _("lottery commitment"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 of the seed, published before the draw; the seed is shown after."),
    )
    lottery_committed_at = models.DateTimeField(
        _("commitment published at"), null=True, blank=True, editable=False
    )
    lottery_drawn_at = models.DateTimeField(
        _("lottery drawn at"), null=True, blank=True, editable=False
    )
    lottery_result = models.JSONField(_("lottery result"), default=dict, blank=True, editable=False)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
    )

    objects = CourseQuerySet.as_manager()

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords(
        # the seed stays secret until the draw; results are kept by LotteryDraw
        excluded_fields=["lottery_seed", "lottery_result", "thumbnail"]
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title", "id"]
        constraints = [
            # Age filters and the enrolment check rely on a sane range.
            models.CheckConstraint(condition=Q(age_min__lte=F("age_max")), name="course_age_range"),
            # A window that closes before it opens would take no one.
            models.CheckConstraint(
                condition=Q(enrol_opens_at__lt=F("enrol_closes_at")), name="course_enrol_window"
            ),
            # Enrolment counts places against this; a course with none would only wait-list.
            models.CheckConstraint(condition=Q(capacity__gte=1), name="course_capacity_positive"),
            # The fee is copied onto enrolments and shared with the fund.
            models.CheckConstraint(condition=Q(fee__gte=0), name="course_fee_not_negative"),
        ]
        triggers = [
            # The seed of a published commitment is never swapped for another (no quiet re-roll).
            pgtrigger.Protect(
                name="lottery_seed_kept",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.lottery_commitment <> '' AND ("
                    "OLD.lottery_seed IS DISTINCT FROM NEW.lottery_seed"
                    " OR OLD.lottery_commitment IS DISTINCT FROM NEW.lottery_commitment"
                    " OR OLD.lottery_committed_at IS DISTINCT FROM NEW.lottery_committed_at)"
                ),
            )
        ]
        indexes = [
            # the public list: published courses of a term
            models.Index(fields=["term", "is_published"], name="course_term_published"),
        ]

    def __str__(self):
        return f"{self.title} ({self.term})"

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if self._commit_lottery_seed() and fields is not None:
            kwargs["update_fields"] = {*fields, *self.COMMITMENT_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("classes:course", args=[self.pk])

    COMMITMENT_FIELDS = ("lottery_seed", "lottery_commitment", "lottery_committed_at")

    def _commit_lottery_seed(self) -> bool:
        """A lottery course gets its seed, and publishes the seed's hash, when it is saved as
        one: long before the window closes, so nobody can draw again with another seed."""
        if not self.is_lottery or self.lottery_drawn_at or self.lottery_commitment:
            return False
        self.lottery_seed = self.lottery_seed or lottery.new_seed()
        self.lottery_commitment = lottery.commitment(self.lottery_seed)
        self.lottery_committed_at = timezone.now()
        return True

    def clean(self):
        community = Community.current()
        errors = {}
        if self.age_min is not None and self.age_max is not None:
            if self.age_min > self.age_max:
                errors["age_max"] = _("The oldest age cannot be below the youngest age.")
            if self.age_min < community.child_age_min or self.age_max > community.child_age_max:
                errors["age_min"] = _("Courses are for children aged %(min)s to %(max)s.") % {
                    "min": community.child_age_min,
                    "max": community.child_age_max,
                }
        if self.enrol_opens_at and self.enrol_closes_at:
            if self.enrol_opens_at >= self.enrol_closes_at:
                errors["enrol_closes_at"] = _("Enrolment must close after it opens.")
        if self.pk is not None and (reason := self._mode_change_refusal()):
            errors["mode"] = reason
        if errors:
            raise ValidationError(errors)

    def _mode_change_refusal(self):
        """Places are given one way for the whole course: once children hold places, wait or are
        entered in the draw, or the draw's seed is committed, the way cannot change."""
        before = Course.objects.filter(pk=self.pk).values("mode", "lottery_commitment").first()
        if before is None or before["mode"] == self.mode:
            return None
        taken = self.enrolments.filter(status__in=Enrolment.ACTIVE).count()
        if taken:
            return ngettext(
                "%(count)s child is already enrolled, waiting or in the lottery: the way places "
                "are given cannot change now.",
                "%(count)s children are already enrolled, waiting or in the lottery: the way "
                "places are given cannot change now.",
                taken,
            ) % {"count": taken}
        if before["lottery_commitment"]:
            return _("The lottery's seed is already committed: the course stays a lottery.")
        return None

    def window_open(self, moment: datetime) -> bool:
        return self.enrol_opens_at <= moment < self.enrol_closes_at

    def taking_enrolments(self, moment: datetime) -> bool:
        """In the window; or, after a lottery's draw, first come first served until term ends."""
        if self.is_lottery and self.lottery_drawn_at:
            return timezone.localdate(moment) <= self.term.ends_on
        return self.window_open(moment)

    @property
    def open_now(self) -> bool:
        """For templates: whether enrolments are taken at this moment."""
        return self.taking_enrolments(timezone.now())

    @property
    def opens_later(self) -> bool:
        return timezone.now() < self.enrol_opens_at

    @property
    def is_lottery(self) -> bool:
        return self.mode == self.Mode.LOTTERY

    @property
    def subject_label(self) -> str:
        """`get_subject_display()` at a tenth of the cost (see WEEKDAY_NAMES): the list's cards."""
        return str(Subject(self.subject).label)

    @property
    def places_left(self) -> int:
        """Needs `with_counts()`."""
        return max(self.capacity - self.enrolled_count, 0)

    def accepts_age(self, age: int | None) -> bool:
        return age is not None and self.age_min <= age <= self.age_max

    def clashes_with(self, other: "Course") -> bool:
        """Whether the two courses have weekly sessions at overlapping times in overlapping terms.

        Needs both courses' `slots` (prefetched where many are compared).
        """
        if self.pk == other.pk:
            return False
        if self.term.ends_on < other.term.starts_on or other.term.ends_on < self.term.starts_on:
            return False
        return any(a.overlaps(b) for a in self.slots.all() for b in other.slots.all())


class TimetableSlot(models.Model):
    """A weekly session of a course: weekday and time. Sessions are generated from these."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("weekly session")
        verbose_name_plural = _("weekly timetable")
        ordering = ["weekday", "starts_at"]
        constraints = [
            # Hours are counted from the duration.
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="slot_times"),
        ]

    def __str__(self):
        return f"{WEEKDAY_NAMES[self.weekday]} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def overlaps(self, other: "TimetableSlot") -> bool:
        return (
            self.weekday == other.weekday
            and self.starts_at < other.ends_at
            and other.starts_at < self.ends_at
        )


def hours_between(start, end) -> Decimal:
    """Class hours from two times of day, to two places (a 90-minute session is 1.50 hours)."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


class ClassSessionQuerySet(models.QuerySet):
    def held(self):
        """Sessions whose register was taken: they count as class hours delivered."""
        return self.filter(status=ClassSession.Status.HELD)

    def total_hours(self) -> Decimal:
        return self.held().aggregate(total=Sum("hours"))["total"] or Decimal("0.00")


class ClassSession(models.Model):
    """One meeting of a course on a date; class hours are counted from held sessions."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    hours = models.DecimalField(_("class hours"), max_digits=5, decimal_places=2, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    notes = models.TextField(_("teacher's notes"), blank=True)
    moved_from = models.CharField(_("moved from"), max_length=60, blank=True)
    register_taken_at = models.DateTimeField(_("register taken at"), null=True, blank=True)

    objects = ClassSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        ordering = ["date", "starts_at", "id"]
        constraints = [
            # Class hours are counted from the duration.
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="session_times"),
            # Generating sessions twice never duplicates a meeting.
            models.UniqueConstraint(
                fields=["course", "date", "starts_at"], name="session_unique_per_time"
            ),
        ]
        indexes = [
            # the statistics: held sessions per course
            models.Index(fields=["course", "status"], name="session_course_status"),
        ]

    def __str__(self):
        return f"{self.course.title} {self.date:%Y-%m-%d} {self.starts_at:%H:%M}"

    def save(self, *args, **kwargs):
        self.hours = hours_between(self.starts_at, self.ends_at)
        if kwargs.get("update_fields") is not None and "hours" not in kwargs["update_fields"]:
            kwargs["update_fields"] = [*kwargs["update_fields"], "hours"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("classes:register", args=[self.pk])

    @property
    def starts(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.starts_at))

    @property
    def ends(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.ends_at))

    @property
    def where(self) -> str:
        return self.place or self.course.place

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        """Holding or waiting for a place (or in the lottery): these block a second enrolment."""
        return self.filter(status__in=Enrolment.ACTIVE)

    def enrolled(self):
        return self.filter(status=Enrolment.Status.ENROLLED)

    def waiting_order(self):
        return self.filter(status=Enrolment.Status.WAITLISTED).order_by("queued_at", "id")


class Enrolment(models.Model):
    """A child's place (or wait, or lottery entry) in a course, with the parent's consents."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("in the lottery")
        ENROLLED = "enrolled", _("enrolled")
        WAITLISTED = "waitlisted", _("on the waiting list")
        NOT_PLACED = "not_placed", _("not placed (timetable clash)")
        WITHDRAWN = "withdrawn", pgettext_lazy("enrolment status", "withdrawn")

    ACTIVE = [Status.APPLIED, Status.ENROLLED, Status.WAITLISTED]

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrolments"
    )
    child = models.ForeignKey(
        HouseholdMember,
        verbose_name=_("child"),
        # class-hour statistics count this child: a member who leaves is kept (left_on)
        on_delete=models.PROTECT,
        related_name="class_enrolments",
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="class_enrolments",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    photo_consent = models.BooleanField(_("may be photographed"), default=False)
    pickup_people = models.CharField(_("who may pick the child up"), max_length=200)
    fee = models.DecimalField(
        _("fee (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("The course's fee when the child enrolled; later changes do not rewrite it."),
    )
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    queued_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    placed_at = models.DateTimeField(_("place given at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course", "created_at", "id"]
        constraints = [
            # One active enrolment (or lottery entry) per child and course.
            models.UniqueConstraint(
                fields=["course", "child"],
                condition=Q(status__in=["applied", "enrolled", "waitlisted"]),
                name="enrolment_one_active_per_child",
            ),
        ]
        indexes = [
            # places taken and the waiting list of a course
            models.Index(fields=["course", "status", "queued_at"], name="enrolment_course_status"),
        ]

    def __str__(self):
        return f"{self.child} → {self.course}"

    @property
    def reference(self) -> str:
        """The anonymous entry number published with a lottery's result."""
        return f"E{self.pk}"

    @property
    def status_label(self) -> str:
        """`get_status_display()`, cheaper (see WEEKDAY_NAMES): My children's classes."""
        return str(self.Status(self.status).label)


class EnrolmentRequest(models.Model):
    """A parent's enrolment form as it arrived, before the enrolment rules decide it.

    Accepting one is a single INSERT with no lock on the course, so a thousand parents at the
    opening minute are each answered at once; the task worker then decides the requests of a
    course one after the other in arrival order (the id) with `services.enrol`, so every rule
    (age, clashes, duplicates, capacity, waiting list, lottery) is the one the form always used.
    """

    # Shown only on its own page, never cached (`portal.cache`): a thousand requests at the
    # opening minute leave the course's cached pages alone; the enrolments they become do not.
    cache_private = True

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be decided")
        DECIDED = "decided", _("decided")
        REFUSED = "refused", _("refused")

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="enrolment_requests",
    )
    child = models.ForeignKey(
        HouseholdMember,
        verbose_name=_("child"),
        on_delete=models.PROTECT,
        related_name="class_enrolment_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="class_enrolment_requests",
    )
    photo_consent = models.BooleanField(_("may be photographed"), default=False)
    pickup_people = models.CharField(_("who may pick the child up"), max_length=200)
    volunteer = models.BooleanField(_("offers to volunteer"), default=False)
    volunteer_message = models.TextField(_("volunteer message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason refused"), blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment request")
        verbose_name_plural = _("enrolment requests")
        ordering = ["id"]
        indexes = [
            # the worker's next request of a course, and a parent's position in the queue
            models.Index(fields=["course", "status", "id"], name="enrolrequest_course_status"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.child} → {self.course}"


class Attendance(models.Model):
    """A child's mark in a session's register."""

    class Mark(models.TextChoices):
        PRESENT = "present", _("present")
        LATE = "late", _("late")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")

    ATTENDED = [Mark.PRESENT, Mark.LATE]

    session = models.ForeignKey(
        ClassSession,
        verbose_name=pgettext_lazy("class meeting", "session"),
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    # The class-hour statistics are built from these marks: nothing deletes them by cascade.
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="attendance"
    )
    mark = models.CharField(_("attendance"), max_length=10, choices=Mark.choices)
    note = models.CharField(_("note for the parents"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            # A register has one mark per child.
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once"),
        ]

    def __str__(self):
        return f"{self.enrolment.child} {self.session}: {self.get_mark_display()}"

    @property
    def mark_label(self) -> str:
        """`get_mark_display()`, cheaper (see WEEKDAY_NAMES): a child's marks, one per session."""
        return str(self.Mark(self.mark).label)


class VolunteerOffer(models.Model):
    """A parent's offer to volunteer, made at enrolment; also handed to the volunteers module."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        related_name="class_volunteer_offers",
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    forwarded = models.BooleanField(_("sent to the volunteer coordinator"), default=False)
    created_at = models.DateTimeField(_("offered at"), default=timezone.now)

    class Meta:
        verbose_name = _("parent's offer to volunteer")
        verbose_name_plural = _("parents' offers to volunteer")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class LotteryDraw(AppendOnlyModel):
    """A draw of a course's lottery, kept for good: the first, and any re-draw with its reason.

    The public lottery page lists them, so a re-draw shows with the result it replaced.
    """

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="draws"
    )
    number = models.PositiveSmallIntegerField(_("draw number"))
    seed = models.CharField(_("seed"), max_length=64)
    result = models.JSONField(_("result"))
    reason = models.CharField(_("reason for the re-draw"), max_length=200, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        verbose_name = _("lottery draw")
        verbose_name_plural = _("lottery draws")
        ordering = ["course", "number"]
        constraints = [
            # the draws of a course are numbered 1, 2, … (the page lists them in order)
            models.UniqueConstraint(fields=["course", "number"], name="lottery_draw_number"),
            # a re-draw always says why
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(reason=""), name="lottery_redraw_has_reason"
            ),
        ]
        # never rewritten, below the application too (portal.ledgers)
        triggers = append_only_triggers()

    def __str__(self):
        return f"{self.course} #{self.number}"


def term_weeks(term: Term):
    """Dates of the term, day by day (used when generating sessions)."""
    day = term.starts_on
    while day <= term.ends_on:
        yield day
        day += timedelta(days=1)


class ClassroomSettings(SingletonSettings):
    """The classroom's own knobs (one row, pk=1), edited by staff in the admin."""

    fund_share_percent = models.DecimalField(
        _("share of fees to the micro-fund (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Posted to the fund automatically as income each time a fee is paid."),
    )

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("classroom settings")
        verbose_name_plural = _("classroom settings")
        constraints = [
            # The fund posting multiplies by this share.
            models.CheckConstraint(
                condition=Q(fund_share_percent__gte=0, fund_share_percent__lte=100),
                name="classroom_fund_share_percent",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class FeePayment(AppendOnlyModel):
    """A course fee paid for an enrolment; its fund share is posted with it. Append-only."""

    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="fee_payment",
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    fund_share_percent = models.DecimalField(
        _("share to the fund (%)"), max_digits=5, decimal_places=2
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("fee payment")
        verbose_name_plural = _("fee payments")
        ordering = ["-received_at", "-id"]
        constraints = [
            # A payment of nothing would post nothing to the fund.
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_payment_positive"),
        ]
        # the fund's income was posted from it: never rewritten (portal.ledgers)
        triggers = append_only_triggers()

    def __str__(self):
        return f"{self.enrolment} {self.amount}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarLink(models.Model):
    """A parent's private address of the children's classes calendar.

    The random token in the address is the only key (calendar apps fetch without logging in);
    resetting it gives a new one and the old address stops working at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="classes_calendar_link",
    )
    token = models.CharField(
        _("calendar feed key"),
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        verbose_name = _("classes calendar link")
        verbose_name_plural = _("classes calendar links")

    def __str__(self):
        return str(self.user)
