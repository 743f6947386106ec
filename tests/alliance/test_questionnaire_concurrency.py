"""Answering once holds when the same person sends their answers several times in the same
instant (PostgreSQL, real threads): the database keeps one response, the others are told."""

import threading

import pytest
from django.db import connection

from alliance import questionnaire_services as services
from alliance.questionnaires import Answer, Participation, Response
from tests.alliance.questionnaire_helpers import good_values, make_questionnaire
from tests.factories import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(jobs):
    """Start every job at the same instant; return what each raised (or None)."""
    barrier = threading.Barrier(len(jobs))
    errors = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            job()
        except Exception as e:  # collected and inspected by the test
            errors[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
def test_six_answers_at_once_from_one_person_keep_one(anonymous):
    questionnaire = make_questionnaire(anonymous=anonymous)
    resident = make_user("王居民")
    values = good_values(questionnaire)

    errors = _run_together(
        [lambda: services.answer(questionnaire, user=resident, values=values) for _ in range(6)]
    )

    assert Response.objects.count() == 1
    assert Participation.objects.count() == 1
    assert Answer.objects.count() == 4
    refused = [e for e in errors if e is not None]
    assert len(refused) == 5
    assert all(isinstance(e, services.QuestionnaireError) for e in refused)
    assert all(str(e) == str(services.ALREADY_ANSWERED) for e in refused)
    response = Response.objects.get()
    assert response.respondent_id == (None if anonymous else resident.pk)


def test_many_people_answering_at_once_are_all_kept():
    questionnaire = make_questionnaire()
    people = [make_user(f"居民{i}") for i in range(6)]
    values = good_values(questionnaire)

    errors = _run_together(
        [lambda p=p: services.answer(questionnaire, user=p, values=values) for p in people]
    )

    assert errors == [None] * 6
    assert Response.objects.count() == 6
