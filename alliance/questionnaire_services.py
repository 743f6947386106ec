"""Workflows of the questionnaires: who is asked, answering once, paper answers, results.

The once-only rule is the database's (see `alliance.questionnaires`): an answer writes its
`Participation` row first, inside the same transaction as the response, and a second answer by
the same person collides with it, even in the same second on PostgreSQL.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.text import Truncator
from django.utils.timezone import localdate, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.questionnaires import (
    SENIOR_AGE,
    Answer,
    Participation,
    Questionnaire,
    Response,
    participation_key,
)
from portal import roles
from portal.models import HouseholdMember, User
from portal.notices import Kind, notify_many
from portal.questions import AnswerError, check_answer, tally
from volunteers.models import VolunteerProfile

Audience = Questionnaire.Audience

# The results' filters: an audience group and the response flag recording it.
GROUP_FLAGS = {
    Audience.PARENTS: "is_parent",
    Audience.SENIORS: "is_senior",
    Audience.VOLUNTEERS: "is_volunteer",
}


class QuestionnaireError(Exception):
    """A refused questionnaire workflow; the message is translated and shown to the person."""


# ------------------------------------------------------------------------------- who is asked


def audience_groups(user, today=None) -> set[str]:
    """The audiences `user` belongs to on `today`: everyone is in "all residents"; parents have a
    child in their household; 60+ by birth date; volunteers hold a volunteer's profile or role."""
    today = today or localdate()
    groups = {Audience.ALL.value}
    if not user.is_authenticated:
        return set()
    if user.household_id and (
        HouseholdMember.objects.current()
        .filter(household_id=user.household_id)
        .filter(HouseholdMember.children_q(today))
        .exclude(user_id=user.pk)
        .exists()
    ):
        groups.add(Audience.PARENTS.value)
    age = user.age_on(today)
    if age is not None and age >= SENIOR_AGE:
        groups.add(Audience.SENIORS.value)
    if user.has_role(roles.VOLUNTEER) or VolunteerProfile.objects.filter(user_id=user.pk).exists():
        groups.add(Audience.VOLUNTEERS.value)
    return groups


def audience_users(questionnaire: Questionnaire, today=None):
    """The accounts a questionnaire asks (for telling them it opened)."""
    today = today or localdate()
    users = User.objects.filter(is_active=True, household__isnull=False)
    audience = questionnaire.audience
    if audience == Audience.PARENTS:
        children = HouseholdMember.objects.current().filter(HouseholdMember.children_q(today))
        users = users.filter(household__in=children.values("household_id")).exclude(
            member__in=children
        )
    elif audience == Audience.SENIORS:
        try:
            born_by = today.replace(year=today.year - SENIOR_AGE)
        except ValueError:  # 29 February
            born_by = today.replace(year=today.year - SENIOR_AGE, day=28)
        users = users.filter(birth_date__lte=born_by)
    elif audience == Audience.VOLUNTEERS:
        users = users.filter(Q(groups__name=roles.VOLUNTEER) | Q(volunteer_profile__isnull=False))
    return users.distinct()


def open_for(user, at=None):
    """Open questionnaires meant for `user`, newest first."""
    at = at or now()
    return Questionnaire.objects.open_at(at).for_groups(audience_groups(user, localdate(at)))


def answered_ids(user, questionnaires) -> set[int]:
    """Which of `questionnaires` `user` has answered online (one query)."""
    keys = {participation_key(q.pk, user.pk): q.pk for q in questionnaires}
    return set(
        Participation.objects.filter(key__in=list(keys)).values_list("questionnaire_id", flat=True)
    )


def has_answered(questionnaire: Questionnaire, user) -> bool:
    return Participation.objects.filter(key=participation_key(questionnaire.pk, user.pk)).exists()


# ----------------------------------------------------------------------------------- answering


ALREADY_ANSWERED = gettext_lazy(
    "You have already answered this questionnaire. Your first answers are kept."
)


def _checked(questions, values: dict) -> dict:
    """Each question's answer as stored, or QuestionnaireError listing every problem."""
    stored, problems = {}, []
    for question in questions:
        try:
            stored[question.pk] = check_answer(question, values.get(question.pk))
        except AnswerError as e:
            problems.append(e.message)
    if problems:
        raise QuestionnaireError(" ".join(problems))
    return stored


def _save(questionnaire, questions, stored, **fields) -> Response:
    response = Response.objects.create(questionnaire=questionnaire, **fields)
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=stored[q.pk]) for q in questions
    )
    return response


def answer(questionnaire: Questionnaire, *, user, values: dict) -> Response:
    """Record `user`'s answers (`values` maps a question's pk to its answer) once.

    Refused when the questionnaire is not open, is not meant for the person, an answer does not
    fit its question, or the person answered before (the first answers are kept).
    """
    at = now()
    state = questionnaire.state(at)
    if state == "not_open":
        raise QuestionnaireError(_("This questionnaire is not open yet."))
    if state == "closed":
        raise QuestionnaireError(_("This questionnaire is closed."))
    groups = audience_groups(user, localdate(at))
    if questionnaire.audience not in groups:
        raise QuestionnaireError(_("This questionnaire is not meant for you."))
    questions = list(questionnaire.questions.all())
    stored = _checked(questions, values)
    try:
        with transaction.atomic():
            # First, so that a second answer stops here, before writing anything else.
            Participation.objects.create(
                key=participation_key(questionnaire.pk, user.pk), questionnaire=questionnaire
            )
            return _save(
                questionnaire,
                questions,
                stored,
                respondent=None if questionnaire.anonymous else user,
                is_parent=Audience.PARENTS in groups,
                is_senior=Audience.SENIORS in groups,
                is_volunteer=Audience.VOLUNTEERS in groups,
            )
    except IntegrityError:
        raise QuestionnaireError(str(ALREADY_ANSWERED)) from None


@transaction.atomic
def enter_paper(questionnaire: Questionnaire, *, by, values: dict, groups=()) -> Response:
    """Type in a paper answer (from a home visit): marked as paper, with who entered it.

    `groups` are the respondent's audience groups as the paper says (for the results' filters).
    Paper answers are accepted from the day the questionnaire opens, also after it closed (the
    papers come back later); they name nobody.
    """
    if questionnaire.state() == "not_open":
        raise QuestionnaireError(_("This questionnaire is not open yet."))
    questions = list(questionnaire.questions.all())
    stored = _checked(questions, values)
    return _save(
        questionnaire,
        questions,
        stored,
        source=Response.Source.PAPER,
        entered_by=by,
        is_parent=Audience.PARENTS in groups,
        is_senior=Audience.SENIORS in groups,
        is_volunteer=Audience.VOLUNTEERS in groups,
    )


def announce_open(at=None) -> int:
    """Tell each questionnaire's audience, once, that it opened; returns how many were told."""
    at = at or now()
    told = 0
    for questionnaire in Questionnaire.objects.open_at(at).filter(announced_at__isnull=True):
        with transaction.atomic():
            # the row lock makes two runs at once tell people once
            locked = (
                Questionnaire.objects.select_for_update()
                .filter(pk=questionnaire.pk, announced_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            told += notify_many(
                audience_users(locked, localdate(at)),
                Kind.OTHER,
                gettext_lazy("A new questionnaire is open: “%(title)s”. Your answers help us."),
                locked.get_absolute_url(),
                params={"title": locked.title},
            )
            locked.announced_at = at
            locked.save(update_fields=["announced_at"])
    return told


# ------------------------------------------------------------------------------------- results


def results(questionnaire: Questionnaire, group: str = ""):
    """(responses counted, one `portal.questions.Result` per question) for everyone or one
    audience group; text answers come as `Answer`s with their response (two queries)."""
    questions = list(questionnaire.questions.all())
    answers = Answer.objects.filter(response__questionnaire=questionnaire)
    responses = questionnaire.responses.all()
    flag = GROUP_FLAGS.get(group)
    if flag:
        answers = answers.filter(**{f"response__{flag}": True})
        responses = responses.filter(**{flag: True})
    rows = answers.select_related("response__respondent", "response__entered_by").order_by(
        "question_id", "-response_id"
    )
    tallied = tally(questions, ((a.question_id, a.value, a) for a in rows))
    return responses.count(), tallied


@transaction.atomic
def answer_to_need(answer: Answer, *, by):
    """Put a text answer on the needs list (source: questionnaire), once.

    A named questionnaire's need keeps the household that answered (private, as on every need);
    an anonymous one's keeps nobody.
    """
    from alliance import services as alliance_services
    from alliance.models import Need

    locked = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("question__questionnaire", "response__respondent__household")
        .get(pk=answer.pk)
    )
    if locked.need_id:
        raise QuestionnaireError(_("This answer is on the needs list already."))
    text = locked.value if isinstance(locked.value, str) else ""
    if not locked.question.is_text or not text.strip():
        raise QuestionnaireError(_("Only a written answer can become a need."))
    questionnaire = locked.question.questionnaire
    respondent = None if questionnaire.anonymous else locked.response.respondent
    origin = _("From the questionnaire “%(title)s”, question “%(question)s”.") % {
        "title": questionnaire.title,
        "question": locked.question.label,
    }
    # The needs list's own service (its length limits, the public board's cache).
    need = alliance_services.record_need(
        by,
        source=Need.Source.QUESTIONNAIRE,
        category=Need.Category.OTHER,
        title=Truncator(" ".join(text.split())).chars(Need._meta.get_field("title").max_length),
        description=f"{origin}\n\n{text.strip()}",
        household=respondent.household if respondent else None,
    )
    locked.need = need
    locked.save(update_fields=["need"])
    return need


def response_counts(questionnaires) -> dict[int, int]:
    """How many responses each questionnaire has (one query)."""
    return dict(
        Response.objects.filter(questionnaire__in=questionnaires)
        .values("questionnaire_id")
        .annotate(n=Count("id"))
        .values_list("questionnaire_id", "n")
    )
