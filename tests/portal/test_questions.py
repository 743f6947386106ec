"""portal.questions: the one engine behind the festival's questions and the questionnaires."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from events.models import Question as EventQuestion
from portal.questions import (
    AnswerError,
    Kind,
    answer_field,
    check_answer,
    display_answer,
    percent,
    tally,
)


def q(kind, choices="", required=True, pk=1, label="问题"):
    return EventQuestion(pk=pk, label=label, kind=kind, choices=choices, required=required)


@pytest.mark.parametrize(
    ("kind", "choices", "value", "stored"),
    [
        (Kind.TEXT, "", "  你好 ", "你好"),
        (Kind.NUMBER, "", "3.5", "3.5"),
        (Kind.CHOICE, "甲\n乙", "乙", "乙"),
        (Kind.MULTIPLE, "甲\n乙\n丙", ["丙", "甲", "甲"], ["甲", "丙"]),
        (Kind.SCALE, "", "4", 4),
        (Kind.YES_NO, "", False, False),
        (Kind.CONSENT, "", True, True),
        (Kind.LONG_TEXT, "", "很长的意见", "很长的意见"),
    ],
    ids=["text", "number", "choice", "multiple-once", "scale", "yes-no", "consent", "long"],
)
def test_a_good_answer_is_stored_in_its_kinds_form(kind, choices, value, stored):
    assert check_answer(q(kind, choices), value) == stored


@pytest.mark.parametrize(
    ("kind", "choices", "value", "code"),
    [
        (Kind.TEXT, "", "", "required"),
        (Kind.NUMBER, "", "many", "number"),
        (Kind.CHOICE, "甲\n乙", "丁", "choice"),
        (Kind.MULTIPLE, "甲\n乙", ["甲", "丁"], "choice"),
        (Kind.MULTIPLE, "甲\n乙", [], "required"),
        (Kind.SCALE, "", "6", "scale"),
        (Kind.SCALE, "", "x", "scale"),
        (Kind.CONSENT, "", False, "consent"),
        (Kind.TEXT, "", "长" * 201, "too_long"),
        (Kind.LONG_TEXT, "", "长" * 2001, "too_long"),
    ],
    ids=[
        "empty",
        "not-a-number",
        "not-offered",
        "one-of-several-not-offered",
        "none-ticked",
        "scale-out-of-range",
        "scale-not-a-number",
        "consent",
        "short-too-long",
        "long-too-long",
    ],
)
def test_a_bad_answer_is_refused_with_a_reason(kind, choices, value, code):
    with pytest.raises(AnswerError) as refused:
        check_answer(q(kind, choices), value)
    assert refused.value.code == code
    assert "问题" in refused.value.message


def test_an_optional_question_left_empty_is_stored_empty():
    assert check_answer(q(Kind.TEXT, required=False), None) == ""
    assert check_answer(q(Kind.MULTIPLE, "甲", required=False), []) == []


def test_the_fields_fit_their_kinds():
    assert isinstance(answer_field(q(Kind.SCALE)).widget, forms.RadioSelect)
    assert isinstance(answer_field(q(Kind.MULTIPLE, "甲")).widget, forms.CheckboxSelectMultiple)
    assert isinstance(answer_field(q(Kind.LONG_TEXT)).widget, forms.Textarea)
    # the festival's choice stays a list; questionnaires ask for radio buttons
    assert isinstance(answer_field(q(Kind.CHOICE, "甲")).widget, forms.Select)
    assert isinstance(answer_field(q(Kind.CHOICE, "甲"), radios=True).widget, forms.RadioSelect)
    assert answer_field(q(Kind.TEXT), required=True).required


def test_answers_show_as_people_read_them():
    with translation.override("en"):
        assert display_answer(q(Kind.YES_NO), True) == "Yes"
    assert display_answer(q(Kind.MULTIPLE, "甲\n乙"), ["甲", "乙"]) == "甲; 乙"
    assert display_answer(q(Kind.NUMBER), "2.50") == Decimal("2.50")
    assert display_answer(q(Kind.TEXT), None) == ""


def test_tally_counts_options_shares_and_the_scales_mean():
    choice = q(Kind.MULTIPLE, "甲\n乙\n丙", pk=1)
    scale = q(Kind.SCALE, pk=2)
    text = q(Kind.LONG_TEXT, pk=3)
    answers = [
        (1, ["甲", "乙"], None),
        (1, ["甲"], None),
        (1, [], None),  # left empty: not counted as answering
        (2, 5, None),
        (2, 4, None),
        (2, 4, None),
        (3, "多开几门课", "row-1"),
        (99, "甲", None),  # a question not asked here is ignored
    ]
    by_question = {r.question.pk: r for r in tally([choice, scale, text], answers)}

    multiple = by_question[1]
    assert multiple.answered == 2
    assert [(b.label, b.count, b.percent) for b in multiple.bars] == [
        ("甲", 2, Decimal("100.0")),
        ("乙", 1, Decimal("50.0")),
        ("丙", 0, Decimal("0.0")),
    ]
    assert by_question[2].mean == Decimal("4.3")
    assert [b.count for b in by_question[2].bars] == [0, 0, 0, 2, 1]
    assert by_question[3].texts == ["row-1"]
    assert by_question[3].bars == []


def test_percent_of_nobody_is_zero():
    assert percent(0, 0) == Decimal("0.0")
    assert percent(1, 3) == Decimal("33.3")


def test_english_pages_ask_the_english_label_and_chinese_pages_the_chinese():
    question = EventQuestion(pk=1, label="孩子的年龄", label_en="Your child's age", kind=Kind.TEXT)
    with translation.override("en"):
        assert answer_field(question).label == "Your child's age"
    with translation.override("zh-hans"):
        assert answer_field(question).label == "孩子的年龄"
    untranslated = EventQuestion(pk=2, label="过敏情况", kind=Kind.TEXT)
    with translation.override("en"):
        assert answer_field(untranslated).label == "过敏情况"  # falls back to the Chinese
