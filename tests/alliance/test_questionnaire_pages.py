"""The questionnaires' pages: residents answer on a phone without JavaScript, staff see results,
charts and exports, type in paper answers and turn answers into needs."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from alliance import questionnaire_services as services
from alliance.models import Need
from alliance.questionnaires import Answer, Response
from tests.alliance.questionnaire_helpers import (
    good_values,
    make_questionnaire,
    post_data,
    questions_of,
)
from tests.factories import make_child, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# ------------------------------------------------------------------------------------ residents


def test_the_list_shows_only_what_is_meant_for_me_and_marks_what_i_answered(client, resident):
    mine = make_questionnaire(title="全体问卷")
    make_questionnaire(audience="parents", title="家长问卷")
    services.answer(mine, user=resident, values=good_values(mine))
    client.force_login(resident)

    page = client.get(reverse("alliance:questionnaires"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "全体问卷" in html
    assert "家长问卷" not in html
    assert "Answered, thank you" in html


def test_a_resident_answers_on_a_plain_form_and_is_thanked(client, resident):
    questionnaire = make_questionnaire()
    client.force_login(resident)
    url = reverse("alliance:questionnaire-answer", args=[questionnaire.pk])

    page = client.get(url)
    html = page.content.decode()
    assert html.count('type="radio"') == 3 + 5  # the single choice and the 1–5 scale
    assert html.count('type="checkbox"') == 3
    assert "<textarea" in html
    assert "<script" not in html.split("</main>")[0].split("<main")[-1]

    answered = client.post(url, post_data(questionnaire), follow=True)

    assert answered.redirect_chain[-1][0] == reverse("alliance:questionnaires")
    assert "Thank you: your answers are saved." in _messages(answered)
    response = Response.objects.get()
    assert response.respondent is None  # anonymous by default
    assert Answer.objects.filter(response=response).count() == 4


def test_answering_twice_keeps_the_first_answers_with_a_clear_message(client, resident):
    questionnaire = make_questionnaire()
    client.force_login(resident)
    url = reverse("alliance:questionnaire-answer", args=[questionnaire.pk])
    client.post(url, post_data(questionnaire))

    again = client.post(url, post_data(questionnaire, choice="维修"), follow=True)

    assert (
        "You have already answered this questionnaire. Your first answers are kept."
        in _messages(again)
    )
    assert Response.objects.count() == 1
    q1 = questions_of(questionnaire)[0]
    assert Answer.objects.get(question=q1).value == "儿童课堂"
    page = client.get(url)
    assert b'data-testid="answered"' in page.content
    assert b'<form method="post" novalidate>' not in page.content


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"choice": "火星"}, "Select a valid choice"),
        ({"text": "长" * 5000}, "Ensure this value has at most 2000 characters"),
        ({"scale": "abc"}, "Select a valid choice"),
    ],
    ids=["choice-not-offered", "huge", "scale-not-a-number"],
)
def test_hostile_answers_get_a_form_error_not_a_500(client, resident, change, error):
    questionnaire = make_questionnaire()
    client.force_login(resident)
    data = post_data(questionnaire, **{k: v for k, v in change.items() if k in ("choice", "text")})
    if "scale" in change:
        data[f"q{questions_of(questionnaire)[2].pk}"] = change["scale"]

    page = client.post(reverse("alliance:questionnaire-answer", args=[questionnaire.pk]), data)

    assert page.status_code == 200
    assert error in page.content.decode()
    assert not Response.objects.exists()


def test_a_nul_character_gets_a_clear_400(client, resident):
    questionnaire = make_questionnaire()
    client.force_login(resident)

    page = client.post(
        reverse("alliance:questionnaire-answer", args=[questionnaire.pk]),
        post_data(questionnaire, text="坏\x00字"),
    )

    assert page.status_code == 400
    assert not Response.objects.exists()


def test_a_required_question_left_empty_is_asked_again(client, resident):
    questionnaire = make_questionnaire()
    client.force_login(resident)
    data = post_data(questionnaire)
    del data[f"q{questions_of(questionnaire)[0].pk}"]

    page = client.post(reverse("alliance:questionnaire-answer", args=[questionnaire.pk]), data)

    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    assert not Response.objects.exists()


def test_a_questionnaire_for_another_audience_is_refused(client, resident):
    questionnaire = make_questionnaire(audience="seniors")
    client.force_login(resident)

    url = reverse("alliance:questionnaire-answer", args=[questionnaire.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, post_data(questionnaire)).status_code == 403
    assert not Response.objects.exists()


def test_the_list_runs_a_fixed_number_of_queries(
    client, parent, child, django_assert_max_num_queries
):
    for i in range(30):
        make_questionnaire(title=f"问卷{i}", audience="parents" if i % 2 else "all")
    client.force_login(parent)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("alliance:questionnaires"))
    assert page.content.decode().count('data-testid="questionnaire"') == 30


# ---------------------------------------------------------------------------------------- staff


def _answered_by_many(questionnaire, n):
    for i in range(n):
        person = make_user(f"居民{i}")
        if i % 3 == 0:
            make_child(person)
        services.answer(
            questionnaire,
            user=person,
            values=good_values(
                questionnaire, choice="维修" if i % 2 else "儿童课堂", text=f"建议{i}"
            ),
        )


def test_staff_see_counts_shares_and_an_svg_chart(client, alliance_staff):
    questionnaire = make_questionnaire()
    _answered_by_many(questionnaire, 4)
    client.force_login(alliance_staff)

    page = client.get(reverse("alliance:questionnaire-results", args=[questionnaire.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") == 3  # the single choice, several choices, the scale
    assert "儿童课堂: 2 (50.0%)" in html  # the chart's text alternative
    assert "4 responses" in html
    assert "建议3" in html


def test_results_filter_by_audience_group(client, alliance_staff):
    questionnaire = make_questionnaire()
    _answered_by_many(questionnaire, 6)  # parents: the 1st and the 4th
    client.force_login(alliance_staff)
    url = reverse("alliance:questionnaire-results", args=[questionnaire.pk])

    page = client.get(url, {"group": "parents"})

    assert "2 responses" in page.content.decode()
    assert client.get(url, {"group": "martians"}).status_code == 400
    assert client.get(url, {"group": "\x00"}).status_code == 400


def test_named_questionnaires_show_masked_names_to_staff(client, alliance_staff, resident):
    questionnaire = make_questionnaire(anonymous=False)
    services.answer(questionnaire, user=resident, values=good_values(questionnaire))
    client.force_login(alliance_staff)

    html = client.get(
        reverse("alliance:questionnaire-results", args=[questionnaire.pk])
    ).content.decode()

    assert "王**" in html
    assert "王居民" not in html


def test_exports_neutralise_formula_cells(client, alliance_staff, resident):
    questionnaire = make_questionnaire()
    services.answer(
        questionnaire, user=resident, values=good_values(questionnaire, text="=HYPERLINK(1)")
    )
    client.force_login(alliance_staff)
    url = reverse("alliance:questionnaire-results", args=[questionnaire.pk])

    as_csv = client.get(url, {"format": "csv"})
    assert as_csv["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert ["最想要的服务", "儿童课堂", "1", "100.0"] in rows
    assert any("'=HYPERLINK(1)" in row for row in rows)

    as_xlsx = client.get(url, {"format": "xlsx"})
    book = load_workbook(io.BytesIO(as_xlsx.content))
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in cells
    assert "=HYPERLINK(1)" not in cells


def test_results_run_a_fixed_number_of_queries(
    client, alliance_staff, django_assert_max_num_queries
):
    questionnaire = make_questionnaire(anonymous=False)
    _answered_by_many(questionnaire, 30)
    client.force_login(alliance_staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("alliance:questionnaire-results", args=[questionnaire.pk]))
    assert "30 responses" in page.content.decode()


def test_staff_type_in_a_paper_answer(client, alliance_staff):
    questionnaire = make_questionnaire()
    client.force_login(alliance_staff)
    url = reverse("alliance:questionnaire-paper", args=[questionnaire.pk])
    assert client.get(url).status_code == 200

    saved = client.post(url, {**post_data(questionnaire), "groups": ["seniors"]}, follow=True)

    assert "The paper answer is saved" in " ".join(_messages(saved))
    response = Response.objects.get()
    assert response.source == "paper"
    assert response.entered_by == alliance_staff
    assert response.is_senior


def test_one_click_turns_a_written_answer_into_a_need(client, alliance_staff, resident):
    questionnaire = make_questionnaire()
    services.answer(questionnaire, user=resident, values=good_values(questionnaire))
    text_answer = Answer.objects.get(question=questions_of(questionnaire)[3])
    client.force_login(alliance_staff)
    url = reverse("alliance:questionnaire-answer-need", args=[text_answer.pk])

    assert client.get(url).status_code == 405
    done = client.post(url, follow=True)

    need = Need.objects.get()
    assert need.source == Need.Source.QUESTIONNAIRE
    assert any("on the needs list" in m for m in _messages(done))
    assert "on the needs list" in done.content.decode()  # the answer's badge


@pytest.mark.parametrize(
    "name",
    ["alliance:questionnaire-results", "alliance:questionnaire-paper"],
    ids=["results", "paper"],
)
def test_residents_and_other_staff_may_not_see_staff_pages(client, resident, events_staff, name):
    questionnaire = make_questionnaire()
    for person in (resident, events_staff):
        client.force_login(person)
        assert client.get(reverse(name, args=[questionnaire.pk])).status_code == 403
    assert (
        client.post(
            reverse("alliance:questionnaire-answer-need", args=[1]),
        ).status_code
        == 403
    )


def test_community_admins_see_results_too(client, community_admin):
    questionnaire = make_questionnaire()
    client.force_login(community_admin)
    assert (
        client.get(reverse("alliance:questionnaire-results", args=[questionnaire.pk])).status_code
        == 200
    )
    assert client.get(reverse("alliance:questionnaire-staff")).status_code == 200
