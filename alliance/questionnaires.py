"""Questionnaires (问卷调查): typed questions for an audience, answered once, counted per question.

The questions are the shared engine's (`portal.questions`): what a questionnaire adds is its
audience, its dates, whether it is named or anonymous, and the once-only rule.

Once only, held by the database:
- every online answer writes a `Participation` row whose primary key is a keyed hash of
  (questionnaire, person); a second answer from the same person collides with it, even when
  both arrive in the same second, and is refused;
- a named questionnaire's response also carries its respondent, unique per questionnaire.

An anonymous questionnaire's responses carry no link to the person: no account, no household, no
time of day (only the date), and the `Participation` row names neither the response nor a time.
The hash is HMAC-SHA256 keyed with the site's SECRET_KEY over the questionnaire's id and the
account's id: without the key nobody can tell whose it is; with the key one can only check
whether a given person took part (which the portal must know to refuse a second answer), never
which answers were theirs — no column joins a participation to a response.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import localdate, now
from django.utils.translation import gettext_lazy as _

from portal.questions import Kind, QuestionBase, kind_field

SENIOR_AGE = 60  # the questionnaires' "60+" audience


class QuestionnaireQuerySet(models.QuerySet):
    def open_at(self, at):
        """Questionnaires taking answers at `at` (opened, not yet closed)."""
        return self.filter(opens_at__lte=at, closes_at__gt=at)

    def for_groups(self, groups: set[str]):
        """Questionnaires whose audience is one of `groups` (see `audience_groups`)."""
        return self.filter(audience__in=groups)


class Questionnaire(models.Model):
    """A set of questions put to one audience between two dates, named or anonymous."""

    class Audience(models.TextChoices):
        ALL = "all", _("all residents")
        PARENTS = "parents", _("parents")
        SENIORS = "seniors", _("residents aged 60+")
        VOLUNTEERS = "volunteers", _("volunteers")

    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True, max_length=2000)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_(
            "Anonymous answers keep no link to the person. This cannot change once answers came in."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=now, editable=False)
    announced_at = models.DateTimeField(_("residents told"), null=True, blank=True, editable=False)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-opens_at", "-id"]
        constraints = [
            # a questionnaire is open for some time: the audience's list and the once-only rule
            # rely on opens < closes
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="questionnaire_closes_after_opening",
            ),
        ]
        indexes = [
            # residents' list: the open questionnaires of their groups
            models.Index(fields=["audience", "opens_at", "closes_at"], name="questionnaire_open"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("alliance:questionnaire-answer", args=[self.pk])

    def is_open(self, at=None) -> bool:
        at = at or now()
        return self.opens_at <= at < self.closes_at

    def state(self, at=None) -> str:
        at = at or now()
        if at < self.opens_at:
            return "not_open"
        if at >= self.closes_at:
            return "closed"
        return "open"


class Question(QuestionBase):
    """A questionnaire's question: one or several choices, a 1–5 scale, short or long text."""

    KINDS = [Kind.CHOICE, Kind.MULTIPLE, Kind.SCALE, Kind.TEXT, Kind.LONG_TEXT]

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    kind = kind_field(KINDS, default=Kind.CHOICE)

    class Meta:
        verbose_name = _("questionnaire question")
        verbose_name_plural = _("questionnaire questions")
        ordering = ["questionnaire_id", "position", "id"]


class Response(models.Model):
    """One person's answers to a questionnaire, given online or typed in from paper by staff.

    `is_parent`, `is_senior` and `is_volunteer` record the respondent's audience groups on the
    day (the results' filters); they are not a link to the person.
    """

    class Source(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("paper (typed in by staff)")

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    # Named questionnaires only; always empty on an anonymous one (see the module's docstring).
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questionnaire_responses",
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The member of staff who typed in a paper answer."),
    )
    is_parent = models.BooleanField(_("parent"), default=False)
    is_senior = models.BooleanField(_("aged 60+"), default=False)
    is_volunteer = models.BooleanField(_("volunteer"), default=False)
    # The day only: a time of day could be matched against logs on an anonymous questionnaire.
    answered_on = models.DateField(_("answered on"), default=localdate, editable=False)

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        ordering = ["questionnaire_id", "id"]
        constraints = [
            # a named questionnaire is answered once per person
            models.UniqueConstraint(
                fields=["questionnaire", "respondent"],
                condition=Q(respondent__isnull=False),
                name="questionnaire_one_response_per_person",
            ),
        ]

    def __str__(self):
        return _("Response %(id)s") % {"id": self.pk}


class Answer(models.Model):
    """The answer to one question in one response, stored as the engine stores it (JSON)."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    value = models.JSONField(_("answer"), blank=True, default=str)
    # The need staff made of a text answer ("one click turns an answer into a need").
    need = models.ForeignKey(
        "alliance.Need",
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questionnaire_answers",
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response_id", "question_id"]
        constraints = [
            # one answer per question in a response
            models.UniqueConstraint(
                fields=["response", "question"], name="questionnaire_one_answer_per_question"
            ),
        ]

    def __str__(self):
        return str(self.value)


def participation_key(questionnaire_id: int, user_id: int) -> str:
    """The keyed hash standing for "this person answered this questionnaire" (hex, 64 chars)."""
    message = f"questionnaire:{questionnaire_id}:user:{user_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


class Participation(models.Model):
    """That someone answered a questionnaire online: the once-only rule's row.

    Its key is `participation_key(...)`; it has no time and no response id, and its key is its
    primary key (no sequence to line up with the responses' ids).
    """

    key = models.CharField(_("key"), max_length=64, primary_key=True)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="participations",
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self):
        return self.key[:8]
