"""The one questions engine: typed questions, their form fields, checking answers, and results.

Used by the festival's registration questions (`events.Question`) and the alliance's
questionnaires (`alliance.questionnaires.Question`): each app's question model subclasses
`QuestionBase` and narrows `kind` to the kinds it offers (`kind_field(...)`); forms build their
fields with `answer_field`, services check what was sent with `check_answer` (the rule holds
whatever the form did), pages show stored answers with `display_answer`, and results pages count
them with `tally`.

Stored answers are plain JSON values: a string (text, a number as typed, a choice), a bool (yes /
no, consent), an int (a 1–5 scale) or a list of strings (several choices).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.lib.localized import english_version, localized

SCALE = range(1, 6)  # a 1–5 scale: 1 is the lowest, 5 the highest
SHORT_TEXT_LENGTH = 200
LONG_TEXT_LENGTH = 2000


class Kind(models.TextChoices):
    TEXT = "text", _("text")
    NUMBER = "number", _("number")
    CHOICE = "choice", _("choice")
    YES_NO = "yes_no", _("yes / no")
    CONSENT = "consent", _("consent (must be ticked)")
    MULTIPLE = "multiple", _("several choices")
    SCALE = "scale", _("scale from 1 to 5")
    LONG_TEXT = "long_text", _("long text")


CHOICE_KINDS = {Kind.CHOICE, Kind.MULTIPLE}
TEXT_KINDS = {Kind.TEXT, Kind.LONG_TEXT}


def kind_field(kinds: Iterable[Kind], default: Kind = Kind.TEXT) -> models.CharField:
    """The `kind` column of a question model offering only `kinds` (in this order)."""
    return models.CharField(
        _("kind"),
        max_length=20,
        choices=[(k.value, k.label) for k in kinds],
        default=default,
    )


class QuestionBase(models.Model):
    """A typed question: what each app's question model has in common (abstract)."""

    Kind = Kind

    label = models.CharField(_("question"), max_length=200)
    # What English pages ask (optional; the Chinese label stays the answers' key).
    label_en = english_version(200)
    kind = kind_field(Kind)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice question: one option per line.")
    )
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return self.label

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def has_options(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def is_counted(self) -> bool:
        """Whether results count its answers per option (choices, yes / no, the scale)."""
        return self.kind in CHOICE_KINDS | {Kind.SCALE, Kind.YES_NO, Kind.CONSENT}


# ---------------------------------------------------------------------------------- form fields


def answer_field(question: QuestionBase, *, required: bool = False, radios: bool = False):
    """The form field asking `question`.

    `required=False` leaves the rule to the form's own `clean` (the festival asks only the people
    ticked); `radios` shows a single choice as radio buttons (easier on a phone than a list).
    """
    label = localized(question, "label")
    kind = question.kind
    if kind == Kind.NUMBER:
        return forms.DecimalField(label=label, required=required, max_digits=10, decimal_places=2)
    if kind == Kind.CHOICE:
        if radios:
            return forms.ChoiceField(
                label=label,
                required=required,
                widget=forms.RadioSelect,
                choices=[(o, o) for o in question.options],
            )
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "---------")] + [(o, o) for o in question.options],
        )
    if kind == Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            label=label,
            required=required,
            widget=forms.CheckboxSelectMultiple,
            choices=[(o, o) for o in question.options],
        )
    if kind == Kind.SCALE:
        return forms.TypedChoiceField(
            label=label,
            required=required,
            widget=forms.RadioSelect,
            choices=[(str(n), str(n)) for n in SCALE],
            coerce=int,
            empty_value=None,
            help_text=_("1 is the lowest, 5 the highest."),
        )
    if kind == Kind.YES_NO:
        return forms.TypedChoiceField(
            label=label,
            required=required,
            widget=forms.RadioSelect,
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda v: v == "yes",
            empty_value=None,
        )
    if kind == Kind.CONSENT:
        return forms.BooleanField(label=label, required=required)
    if kind == Kind.LONG_TEXT:
        return forms.CharField(
            label=label,
            required=required,
            max_length=LONG_TEXT_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
    return forms.CharField(label=label, required=required, max_length=SHORT_TEXT_LENGTH)


# ------------------------------------------------------------------------------ checking answers


class AnswerError(ValueError):
    """An answer that does not fit its question. `code` says why; `message` says it to a person.

    Codes: `required` (no answer), `consent` (not ticked), `number`, `choice` (not one of the
    options), `scale`, `too_long`.
    """

    MESSAGES = {
        "required": _("Please answer “%(question)s”."),
        "consent": _("Please agree to “%(question)s”."),
        "number": _("“%(question)s” needs a number."),
        "choice": _("Choose one of the options for “%(question)s”."),
        "scale": _("Choose a number from 1 to 5 for “%(question)s”."),
        "too_long": _("The answer to “%(question)s” is too long."),
    }

    def __init__(self, question: QuestionBase, code: str):
        self.question, self.code = question, code
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code]) % {"question": self.question.label}


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def check_answer(question: QuestionBase, value):
    """Return the answer as stored (see the module's docstring), or raise `AnswerError`.

    An unanswered optional question is stored as "" (an empty list for several choices).
    """
    kind = question.kind
    if kind == Kind.CONSENT:
        if question.required and value is not True:
            raise AnswerError(question, "consent")
        return bool(value)
    if is_empty(value):
        if question.required:
            raise AnswerError(question, "required")
        return [] if kind == Kind.MULTIPLE else ""
    if kind == Kind.YES_NO:
        return bool(value)
    if kind == Kind.MULTIPLE:
        chosen = [value] if isinstance(value, str) else [str(v).strip() for v in value]
        options = question.options
        if any(v not in options for v in chosen):
            raise AnswerError(question, "choice")
        # stored in the options' order, once each
        return [o for o in options if o in chosen]
    if kind == Kind.SCALE:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise AnswerError(question, "scale") from None
        if number not in SCALE:
            raise AnswerError(question, "scale")
        return number
    value = str(value).strip()
    if kind == Kind.NUMBER:
        try:
            Decimal(value)
        except InvalidOperation:
            raise AnswerError(question, "number") from None
    if kind == Kind.CHOICE and value not in question.options:
        raise AnswerError(question, "choice")
    limit = LONG_TEXT_LENGTH if kind == Kind.LONG_TEXT else SHORT_TEXT_LENGTH
    if kind in TEXT_KINDS and len(value) > limit:
        raise AnswerError(question, "too_long")
    return value


def _as_number(value):
    """A number answer as a Decimal (so exports keep it a number), or as it was stored."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return value
    return number if number.is_finite() else value


def display_answer(question: QuestionBase, value):
    """A stored answer as a page or an export shows it (numbers stay numbers)."""
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if question.kind == Kind.NUMBER:
        return _as_number(value)
    return value


# ------------------------------------------------------------------------------------- results


@dataclass
class Bar:
    """One option of a question's results: how many chose it and what share of those answering."""

    label: str
    count: int
    percent: Decimal


@dataclass
class Result:
    question: QuestionBase
    answered: int = 0  # people who answered this question (not left empty)
    bars: list[Bar] = field(default_factory=list)
    mean: Decimal | None = None  # the 1–5 scale's average
    texts: list = field(default_factory=list)  # text answers, as given to `tally`


def _options_of(question: QuestionBase) -> list[tuple[object, str]]:
    """(stored value, label) for each option results count, in the order they are shown."""
    if question.kind in CHOICE_KINDS:
        return [(o, o) for o in question.options]
    if question.kind == Kind.SCALE:
        return [(n, str(n)) for n in SCALE]
    if question.kind in (Kind.YES_NO, Kind.CONSENT):
        return [(True, str(_("Yes"))), (False, str(_("No")))]
    return []


def percent(part: int, whole: int) -> Decimal:
    """`part` of `whole` in per cent, one decimal place (0 when nobody answered)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def tally(questions: Iterable[QuestionBase], answers: Iterable[tuple[int, object, object]]):
    """Count answers per question and option: one `Result` per question, in order.

    `answers` yields `(question_id, stored value, extra)`; `extra` is what a text answer's list
    keeps (the text itself, or a row the page needs, such as an id to act on). Several choices
    count once per option ticked, so their percentages may add up to more than 100; each share
    is of the people who answered that question.
    """
    results = {q.pk: Result(question=q) for q in questions}
    counts: dict[int, dict] = {pk: {} for pk in results}
    sums: dict[int, int] = dict.fromkeys(results, 0)
    for question_id, value, extra in answers:
        result = results.get(question_id)
        if result is None or is_empty(value):
            continue
        result.answered += 1
        kind = result.question.kind
        if kind in TEXT_KINDS or kind == Kind.NUMBER:
            result.texts.append(extra)
            continue
        for v in value if isinstance(value, list) else [value]:
            counts[question_id][v] = counts[question_id].get(v, 0) + 1
        if kind == Kind.SCALE:
            sums[question_id] += int(value)
    for pk, result in results.items():
        result.bars = [
            Bar(label, counts[pk].get(v, 0), percent(counts[pk].get(v, 0), result.answered))
            for v, label in _options_of(result.question)
        ]
        if result.question.kind == Kind.SCALE and result.answered:
            result.mean = (Decimal(sums[pk]) / result.answered).quantize(Decimal("0.1"))
    return list(results.values())
