"""The party-building alliance (党建联盟) and residents' voice: the needs list (需求清单) with
micro-wishes (微心愿), home visits (入户走访) and the alliance's own settings. The resources and
projects lists build on the shared partner model (`portal.Partner`)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.fields import ImageField
from portal.singleton import SingletonSettings
from portal.validators import validate_image_file


class AllianceSettings(SingletonSettings):
    """The alliance's own knobs (one row, pk=1), edited by staff in the admin."""

    board_min_households = models.PositiveSmallIntegerField(
        _("fewest households behind a building on the public board"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "The public board names a need's building only when at least this many households "
            "live there, so nobody can tell which home asked."
        ),
    )
    visit_overdue_months = models.PositiveSmallIntegerField(
        _("months before an elder living alone is due a visit"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("alliance settings")
        verbose_name_plural = _("alliance settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(board_min_households__gte=1, visit_overdue_months__gte=1),
                name="alliance_settings_positive",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class HomeVisit(models.Model):
    """Staff calling at a home (入户走访): who went, what they heard. Private to alliance staff
    and community admins; the needs they found go on the needs list (`Need.home_visit`)."""

    household = models.ForeignKey(
        "portal.Household",
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="home_visits",
    )
    visited_on = models.DateField(_("visited on"), default=timezone.localdate)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitors"),
        blank=True,
        related_name="home_visits_made",
    )
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["household", "-visited_on"], name="alliance_visit_hh")]

    def __str__(self):
        return f"{self.household} {self.visited_on:%Y-%m-%d}"


class NeedQuerySet(models.QuerySet):
    def open(self):
        """Needs the alliance still has to meet: new or accepted, not yet in a project."""
        return self.filter(state__in=[Need.State.NEW, Need.State.ACCEPTED])

    def on_board(self):
        """Needs shown (anonymised) on the public board: neither declined nor merged."""
        return self.exclude(state__in=[Need.State.DECLINED, Need.State.MERGED])


class Need(models.Model):
    """One entry of the needs list: a resident's post, or one found on a home visit or in a
    questionnaire's answers. Its author and household are private: never shown on public pages
    or to partners."""

    class Kind(models.TextChoices):
        NEED = "need", _("need")
        WISH = "wish", _("micro-wish")

    class Category(models.TextChoices):
        ELDERLY = "elderly", _("care for elders")
        CHILDREN = "children", _("children and youth")
        FACILITIES = "facilities", _("facilities and access")
        ENVIRONMENT = "environment", _("environment and greenery")
        SAFETY = "safety", _("safety")
        HEALTH = "health", _("health")
        CULTURE = "culture", _("culture and learning")
        HELP = "help", _("help for families in need")
        OTHER = "other", _("other")

    class Source(models.TextChoices):
        RESIDENT = "resident", _("posted by a resident")
        HOME_VISIT = "home_visit", _("home visit")
        QUESTIONNAIRE = "questionnaire", _("questionnaire")

    class Urgency(models.TextChoices):
        LOW = "low", _("can wait")
        NORMAL = "normal", _("normal")
        HIGH = "high", _("urgent")

    class State(models.TextChoices):
        NEW = "new", _("received")
        ACCEPTED = "accepted", _("accepted")
        IN_PROJECT = "in_project", _("in a project")
        DONE = "done", _("done")
        DECLINED = "declined", _("declined")
        MERGED = "merged", _("merged into another")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEED)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), max_length=2000)
    photo = ImageField(
        _("photo"),
        upload_to="alliance/needs/",
        blank=True,
        validators=[validate_image_file],
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.RESIDENT
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.NEW)
    # Private: who asked and where.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alliance_needs",
    )
    household = models.ForeignKey(
        "portal.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alliance_needs",
    )
    building = models.CharField(_("building"), max_length=20, blank=True)
    home_visit = models.ForeignKey(
        HomeVisit,
        verbose_name=_("found on the home visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    # What the public board and partners read instead of the resident's own words (which may
    # name people or homes): written by staff when they answer.
    public_summary = models.CharField(
        _("summary for the public board"),
        max_length=120,
        blank=True,
        help_text=_("No names, no addresses: shown on the public board and to partners."),
    )
    project = models.ForeignKey(
        "alliance.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    claimed_by = models.ForeignKey(
        "portal.Partner",
        verbose_name=_("claimed by partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_needs",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # The answer: a reason the resident reads when declined; the need it joined when merged.
    reason = models.TextField(_("reason given to the resident"), blank=True, max_length=1000)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_needs",
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "-received_at"], name="alliance_need_state"),
            models.Index(fields=["received_at"], name="alliance_need_received"),
        ]
        constraints = [
            # A declined need always carries the reason the resident reads.
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(reason=""),
                name="alliance_need_declined_has_reason",
            ),
            # A merged need points to the one it joined, and only a merged one does.
            models.CheckConstraint(
                condition=(Q(state="merged") & Q(merged_into__isnull=False))
                | (~Q(state="merged") & Q(merged_into__isnull=True)),
                name="alliance_need_merged_points_to_need",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")),
                name="alliance_need_not_merged_into_itself",
            ),
            # Answered = taken up or turned down; a new need has no answer yet.
            models.CheckConstraint(
                condition=(Q(state="new") & Q(answered_at__isnull=True))
                | (~Q(state="new") & Q(answered_at__isnull=False)),
                name="alliance_need_answered_when_not_new",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=models.F("received_at")),
                name="alliance_need_answered_after_received",
            ),
            # A need "in a project" belongs to one.
            models.CheckConstraint(
                condition=~Q(state="in_project") | Q(project__isnull=False),
                name="alliance_need_in_project_has_project",
            ),
            # A claim names the partner and when, together.
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True, claimed_at__isnull=True)
                | Q(claimed_by__isnull=False, claimed_at__isnull=False),
                name="alliance_need_claim_complete",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("alliance:need", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.NEW, self.State.ACCEPTED)

    @property
    def days_to_answer(self):
        if self.answered_at is None:
            return None
        return (self.answered_at - self.received_at).days


class ResourceQuerySet(models.QuerySet):
    def current(self, today=None):
        """Resources on offer today: active and within their validity."""
        today = today or timezone.localdate()
        return self.filter(is_active=True).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        )


class Resource(models.Model):
    """One entry of the resources list (资源清单): what a partner organisation offers."""

    class Kind(models.TextChoices):
        VENUE = "venue", _("venue")
        VOLUNTEERS = "volunteers", _("volunteers")
        MONEY = "money", _("money")
        SKILLS = "skills", _("skills")
        EQUIPMENT = "equipment", _("equipment")
        TRAINING = "training", _("training")
        OTHER = "other", _("other")

    partner = models.ForeignKey(
        "portal.Partner",
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        related_name="alliance_resources",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("e.g. people, seats, yuan")
    )
    hours = models.CharField(
        _("opening hours"), max_length=100, blank=True, help_text=_("For venues: when it is open.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True, max_length=1000)
    is_active = models.BooleanField(_("on offer"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["partner__name", "title"]
        constraints = [
            # A validity period ends after it starts.
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="alliance_resource_valid_period",
            ),
        ]

    def __str__(self):
        return f"{self.title} · {self.partner}"


class Project(models.Model):
    """One entry of the projects list (项目清单): needs met with resources, owned by a partner
    or by the community, with a plan, dates, a budget, progress and, to close, an outcome."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("under way")
        DONE = "done", _("completed")

    title = models.CharField(_("title"), max_length=100)
    plan = models.TextField(_("plan"), max_length=4000)
    owner = models.ForeignKey(
        "portal.Partner",
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliance_projects",
        help_text=_("Empty: the community runs it."),
    )
    resources = models.ManyToManyField(
        Resource, verbose_name=_("resources"), blank=True, related_name="projects"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    outcome = models.TextField(_("outcome"), blank=True, max_length=4000)
    volunteer_posts = models.ManyToManyField(
        "volunteers.Post", verbose_name=_("volunteer posts"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            # A project cannot close without an outcome, and is closed exactly when done.
            models.CheckConstraint(
                condition=~Q(state="done") | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="alliance_project_done_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="alliance_project_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="alliance_project_budget"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("alliance:project", args=[self.pk])


class ProjectUpdate(models.Model):
    """Progress on a project, with an optional photo: shown on the public board."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="updates"
    )
    text = models.TextField(_("progress"), max_length=2000)
    photo = ImageField(
        _("photo"), upload_to="alliance/projects/", blank=True, validators=[validate_image_file]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.project} {self.created_at:%Y-%m-%d}"


class Rating(models.Model):
    """A resident's rating (1–5) and comment on a completed project: one per person."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="ratings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="alliance_ratings",
    )
    stars = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One rating per person and project (rating again replaces it).
            models.UniqueConstraint(fields=["project", "user"], name="alliance_rating_once"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="alliance_rating_stars"
            ),
        ]

    def __str__(self):
        return f"{self.project} {self.stars}"


from alliance.questionnaires import Answer, Participation, Question, Questionnaire, Response  # noqa: E402, F401, I001
