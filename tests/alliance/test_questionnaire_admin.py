"""Building a questionnaire in the admin: typed questions, sensible dates, anonymity fixed once
answers came in; and the demo's two questionnaires."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime, now

from alliance import questionnaire_services as services
from alliance.questionnaire_forms import QuestionAdminForm, QuestionnaireAdminForm
from alliance.questionnaires import Question, Questionnaire, Response
from portal.models import Notice
from tests.alliance.questionnaire_helpers import good_values, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _when(delta):
    return localtime(now() + delta).strftime("%Y-%m-%d %H:%M:%S")


def test_staff_build_a_questionnaire_with_typed_questions_and_its_audience_is_told(
    client, alliance_staff, parent, child, resident
):
    client.force_login(alliance_staff)
    opens, closes = _when(timedelta(hours=-1)), _when(timedelta(days=7))
    data = {
        "title": "家长问卷",
        "intro": "",
        "audience": "parents",
        "opens_at_0": opens[:10],
        "opens_at_1": opens[11:],
        "closes_at_0": closes[:10],
        "closes_at_1": closes[11:],
        "anonymous": "on",
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-position": "1",
        "questions-0-label": "孩子几年级？",
        "questions-0-kind": "choice",
        "questions-0-choices": "一年级\n二年级",
        "questions-0-required": "on",
        "questions-1-position": "2",
        "questions-1-label": "满意度",
        "questions-1-kind": "scale",
        "questions-1-choices": "",
        "questions-1-required": "on",
    }

    saved = client.post(reverse("admin:alliance_questionnaire_add"), data)

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.created_by == alliance_staff
    assert list(questionnaire.questions.values_list("kind", flat=True)) == ["choice", "scale"]
    # It opened already: the parents are told at once, nobody else.
    assert list(Notice.objects.values_list("recipient", flat=True)) == [parent.pk]


def test_a_choice_question_needs_two_distinct_options():
    form = QuestionAdminForm(
        data={
            "position": 1,
            "label": "哪个？",
            "kind": "multiple",
            "choices": "甲",
            "required": "on",
        }
    )
    assert not form.is_valid()
    assert "at least two options" in str(form.errors["choices"])

    form = QuestionAdminForm(
        data={
            "position": 1,
            "label": "哪个？",
            "kind": "choice",
            "choices": "甲\n甲",
            "required": "",
        }
    )
    assert not form.is_valid()
    assert "only once" in str(form.errors["choices"])


def test_the_event_kinds_are_not_offered_to_questionnaires():
    kinds = {value for value, _label in Question._meta.get_field("kind").choices}
    assert kinds == {"choice", "multiple", "scale", "text", "long_text"}


def test_a_questionnaire_cannot_turn_named_once_answered(resident):
    questionnaire = make_questionnaire(anonymous=True)
    services.answer(questionnaire, user=resident, values=good_values(questionnaire))
    data = {
        "title": questionnaire.title,
        "intro": "",
        "audience": "all",
        "opens_at": questionnaire.opens_at,
        "closes_at": questionnaire.closes_at,
        "anonymous": False,
    }

    form = QuestionnaireAdminForm(data=data, instance=questionnaire)

    assert not form.is_valid()
    assert "cannot change between named and anonymous" in str(form.errors["anonymous"])


def test_closing_before_opening_is_a_form_error():
    form = QuestionnaireAdminForm(
        data={
            "title": "问卷",
            "audience": "all",
            "opens_at": now(),
            "closes_at": now() - timedelta(days=1),
            "anonymous": True,
        }
    )
    assert not form.is_valid()
    assert "after the opening time" in str(form.errors["closes_at"])


def test_the_demo_has_two_questionnaires_with_answers_and_runs_twice(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)

    assert Questionnaire.objects.count() == 2
    services_q = Questionnaire.objects.get(title="社区服务需求调查")
    assert services_q.is_open() and services_q.anonymous
    assert Response.objects.filter(questionnaire=services_q, source="paper").count() == 6
    assert not Response.objects.filter(questionnaire=services_q, respondent__isnull=False).exists()
    classroom = Questionnaire.objects.get(title="邻里课堂家长问卷")
    assert classroom.state() == "closed" and not classroom.anonymous
    assert Response.objects.filter(questionnaire=classroom, respondent__isnull=False).exists()
