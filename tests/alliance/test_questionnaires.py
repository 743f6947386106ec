"""The questionnaires' rules: who is asked, answering once, anonymity in the database, paper
answers, results, and answers turned into needs."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.timezone import now

from alliance import questionnaire_services as services
from alliance.models import Need
from alliance.questionnaires import (
    Answer,
    Participation,
    Questionnaire,
    Response,
    participation_key,
)
from portal.models import Household, Notice, User
from tests.alliance.questionnaire_helpers import (
    good_values,
    make_questionnaire,
    questions_of,
)

pytestmark = pytest.mark.django_db

ALL, PARENTS, SENIORS, VOLUNTEERS = (a.value for a in Questionnaire.Audience)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_each_person_belongs_to_the_audiences_their_household_age_and_roles_say(
    resident, parent, child, elder, volunteer
):
    assert services.audience_groups(resident) == {ALL}
    assert services.audience_groups(parent) == {ALL, PARENTS}
    assert services.audience_groups(elder) == {ALL, SENIORS}
    assert services.audience_groups(volunteer) == {ALL, VOLUNTEERS}


def test_a_volunteers_profile_without_the_role_also_counts_as_a_volunteer(resident):
    from volunteers.services import ensure_profile

    ensure_profile(resident)

    assert services.audience_groups(resident) == {ALL, VOLUNTEERS}
    questionnaire = make_questionnaire(audience=VOLUNTEERS)
    assert list(services.audience_users(questionnaire)) == [resident]


def test_residents_see_only_the_open_questionnaires_meant_for_them(resident, parent, child):
    for_all = make_questionnaire(title="全体")
    for_parents = make_questionnaire(audience=PARENTS, title="家长")
    make_questionnaire(opens=now() + timedelta(days=1), title="未开始")
    make_questionnaire(
        opens=now() - timedelta(days=10), closes=now() - timedelta(days=1), title="已结束"
    )

    assert list(services.open_for(resident)) == [for_all]
    assert set(services.open_for(parent)) == {for_all, for_parents}


def test_an_answer_is_saved_with_the_respondents_groups(parent, child):
    questionnaire = make_questionnaire(anonymous=False)

    response = services.answer(questionnaire, user=parent, values=good_values(questionnaire))

    q1, q2, q3, q4 = questions_of(questionnaire)
    stored = dict(Answer.objects.filter(response=response).values_list("question_id", "value"))
    assert stored == {
        q1.pk: "儿童课堂",
        q2.pk: ["广场", "图书角"],
        q3.pk: 4,
        q4.pk: "希望多开几门课",
    }
    response.refresh_from_db()
    assert response.respondent == parent
    assert response.source == Response.Source.ONLINE
    assert (response.is_parent, response.is_senior, response.is_volunteer) == (True, False, False)


def test_a_questionnaire_answered_twice_keeps_the_first_answers(resident):
    questionnaire = make_questionnaire()
    services.answer(questionnaire, user=resident, values=good_values(questionnaire))

    with pytest.raises(services.QuestionnaireError, match="already answered"):
        services.answer(
            questionnaire, user=resident, values=good_values(questionnaire, choice="维修")
        )

    assert Response.objects.count() == 1
    q1 = questions_of(questionnaire)[0]
    assert Answer.objects.get(question=q1).value == "儿童课堂"
    assert services.has_answered(questionnaire, resident)


def test_the_database_refuses_a_second_named_response_and_a_second_participation(resident):
    questionnaire = make_questionnaire(anonymous=False)
    services.answer(questionnaire, user=resident, values=good_values(questionnaire))

    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(questionnaire=questionnaire, respondent=resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(
            key=participation_key(questionnaire.pk, resident.pk), questionnaire=questionnaire
        )


def _columns_pointing_at(model, targets):
    return [
        f.column
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in targets
    ]


def test_an_anonymous_questionnaire_stores_no_link_to_the_person(parent, child):
    questionnaire = make_questionnaire(anonymous=True)
    services.answer(questionnaire, user=parent, values=good_values(questionnaire))

    # Every column of the response table that points at an account or a household is empty.
    person_columns = _columns_pointing_at(Response, {User, Household})
    assert {"respondent_id", "entered_by_id"} <= set(person_columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(person_columns)} FROM {Response._meta.db_table}"  # noqa: S608
        )
        rows = cursor.fetchall()
    assert rows == [(None,) * len(person_columns)]
    # No time of day either: only the date.
    assert {f.name for f in Response._meta.concrete_fields}.isdisjoint({"created_at"})

    # The once-only row names neither the person nor the response.
    assert _columns_pointing_at(Participation, {User, Household, Response}) == []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Participation._meta.db_table}")  # noqa: S608
        (row,) = cursor.fetchall()
    assert str(parent.pk) not in row[0] or len(row[0]) == 64
    assert row[0] == participation_key(questionnaire.pk, parent.pk)
    assert len(row[0]) == 64
    # Another questionnaire gives the same person another key (nothing to join across them).
    assert participation_key(questionnaire.pk + 1, parent.pk) != row[0]


def test_the_participation_key_depends_on_the_secret_key(settings, resident):
    first = participation_key(1, resident.pk)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert participation_key(1, resident.pk) != first


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (timedelta(days=1), timedelta(days=5), "not open yet"),
        (timedelta(days=-5), timedelta(days=-1), "closed"),
    ],
    ids=["not-yet", "closed"],
)
def test_answers_outside_the_dates_are_refused(resident, opens, closes, message):
    questionnaire = make_questionnaire(opens=now() + opens, closes=now() + closes)

    with pytest.raises(services.QuestionnaireError, match=message):
        services.answer(questionnaire, user=resident, values=good_values(questionnaire))
    assert not Response.objects.exists()


def test_someone_outside_the_audience_is_refused(resident):
    questionnaire = make_questionnaire(audience=SENIORS)

    with pytest.raises(services.QuestionnaireError, match="not meant for you"):
        services.answer(questionnaire, user=resident, values=good_values(questionnaire))
    assert not Participation.objects.exists()


def test_bad_answers_are_refused_and_nothing_is_kept(resident):
    questionnaire = make_questionnaire()
    q1, q2, q3, q4 = questions_of(questionnaire)

    with pytest.raises(services.QuestionnaireError) as refused:
        services.answer(
            questionnaire,
            user=resident,
            values={q1.pk: "别的", q2.pk: ["广场", "火星"], q3.pk: 9, q4.pk: "x" * 3000},
        )

    message = str(refused.value)
    assert "Choose one of the options for “最想要的服务”" in message
    assert "from 1 to 5" in message
    assert "too long" in message
    assert not Response.objects.exists()
    assert not Participation.objects.exists()


def test_staff_type_in_paper_answers_marked_as_paper_with_who_typed_them(alliance_staff):
    questionnaire = make_questionnaire(anonymous=False)

    for _ in range(2):  # several papers, no once-only rule: they name nobody
        response = services.enter_paper(
            questionnaire, by=alliance_staff, values=good_values(questionnaire), groups={SENIORS}
        )

    response.refresh_from_db()
    assert response.source == Response.Source.PAPER
    assert response.entered_by == alliance_staff
    assert response.respondent is None
    assert response.is_senior and not response.is_parent
    assert Response.objects.filter(source="paper").count() == 2


def test_results_count_each_option_and_filter_by_group(parent, child, resident, alliance_staff):
    questionnaire = make_questionnaire()
    services.answer(questionnaire, user=parent, values=good_values(questionnaire))
    services.answer(questionnaire, user=resident, values=good_values(questionnaire, choice="维修"))
    services.enter_paper(
        questionnaire,
        by=alliance_staff,
        values=good_values(questionnaire, choice="维修", text=""),
        groups={SENIORS},
    )

    total, results = services.results(questionnaire)
    assert total == 3
    choice, multiple, scale, text = results
    assert [(b.label, b.count, str(b.percent)) for b in choice.bars] == [
        ("老年食堂", 0, "0.0"),
        ("儿童课堂", 1, "33.3"),
        ("维修", 2, "66.7"),
    ]
    assert [b.count for b in multiple.bars] == [3, 3, 0]
    assert scale.mean == 4
    assert [a.value for a in text.texts] == ["希望多开几门课", "希望多开几门课"]

    total, results = services.results(questionnaire, PARENTS)
    assert total == 1
    assert [b.count for b in results[0].bars] == [0, 1, 0]
    total, results = services.results(questionnaire, SENIORS)
    assert total == 1
    assert [b.count for b in results[0].bars] == [0, 0, 1]


def test_a_written_answer_becomes_a_need_once(resident, alliance_staff):
    questionnaire = make_questionnaire(anonymous=True)
    services.answer(questionnaire, user=resident, values=good_values(questionnaire))
    text_answer = Answer.objects.get(question=questions_of(questionnaire)[3])

    need = services.answer_to_need(text_answer, by=alliance_staff)

    need.refresh_from_db()
    assert need.source == Need.Source.QUESTIONNAIRE
    assert need.title == "希望多开几门课"
    assert "社区问卷" in need.description
    assert need.author is None and need.household is None  # anonymous: nobody
    assert need.building == ""
    assert need.state == Need.State.NEW
    text_answer.refresh_from_db()
    assert text_answer.need == need
    with pytest.raises(services.QuestionnaireError, match="already"):
        services.answer_to_need(text_answer, by=alliance_staff)
    assert Need.objects.count() == 1


def test_a_named_answers_need_keeps_who_asked_privately(resident, alliance_staff):
    questionnaire = make_questionnaire(anonymous=False)
    services.answer(questionnaire, user=resident, values=good_values(questionnaire))
    text_answer = Answer.objects.get(question=questions_of(questionnaire)[3])

    need = services.answer_to_need(text_answer, by=alliance_staff)

    assert need.household_id == resident.household_id
    assert need.building == "3"


def test_a_choice_answer_does_not_become_a_need(resident, alliance_staff):
    questionnaire = make_questionnaire()
    services.answer(questionnaire, user=resident, values=good_values(questionnaire))

    with pytest.raises(services.QuestionnaireError, match="written answer"):
        services.answer_to_need(
            Answer.objects.get(question=questions_of(questionnaire)[0]), by=alliance_staff
        )
    assert not Need.objects.exists()


def test_the_audience_is_told_once_when_a_questionnaire_opens(parent, child, resident, elder):
    questionnaire = make_questionnaire(audience=PARENTS)

    assert services.announce_open() == 1
    assert services.announce_open() == 0

    told = Notice.objects.filter(url=questionnaire.get_absolute_url())
    assert list(told.values_list("recipient", flat=True)) == [parent.pk]
    questionnaire.refresh_from_db()
    assert questionnaire.announced_at is not None


def test_a_questionnaire_cannot_close_before_it_opens():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_questionnaire(opens=now(), closes=now() - timedelta(hours=1))


def test_volunteers_and_60_plus_residents_are_told_of_their_questionnaires(
    volunteer, elder, resident
):
    for_volunteers = make_questionnaire(audience=VOLUNTEERS)
    for_seniors = make_questionnaire(audience=SENIORS)

    assert services.announce_open() == 2

    assert list(
        Notice.objects.filter(url=for_volunteers.get_absolute_url()).values_list(
            "recipient", flat=True
        )
    ) == [volunteer.pk]
    assert list(
        Notice.objects.filter(url=for_seniors.get_absolute_url()).values_list(
            "recipient", flat=True
        )
    ) == [elder.pk]
