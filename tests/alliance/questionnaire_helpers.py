"""Small helpers for the questionnaires' tests: a questionnaire with one question of each kind."""

from datetime import timedelta

from django.utils.timezone import now

from alliance.questionnaires import Question, Questionnaire
from portal.questions import Kind


def make_questionnaire(
    *, audience="all", anonymous=True, opens=None, closes=None, title="社区问卷"
):
    opens = opens or now() - timedelta(days=1)
    closes = closes or now() + timedelta(days=14)
    questionnaire = Questionnaire.objects.create(
        title=title, audience=audience, anonymous=anonymous, opens_at=opens, closes_at=closes
    )
    Question.objects.bulk_create(
        [
            Question(
                questionnaire=questionnaire,
                position=1,
                label="最想要的服务",
                kind=Kind.CHOICE,
                choices="老年食堂\n儿童课堂\n维修",
            ),
            Question(
                questionnaire=questionnaire,
                position=2,
                label="常去的地方",
                kind=Kind.MULTIPLE,
                choices="广场\n图书角\n活动室",
            ),
            Question(questionnaire=questionnaire, position=3, label="满意度", kind=Kind.SCALE),
            Question(
                questionnaire=questionnaire,
                position=4,
                label="其他建议",
                kind=Kind.LONG_TEXT,
                required=False,
            ),
        ]
    )
    return questionnaire


def questions_of(questionnaire):
    choice, multiple, scale, text = questionnaire.questions.order_by("position")
    return choice, multiple, scale, text


def good_values(questionnaire, *, choice="儿童课堂", text="希望多开几门课"):
    q1, q2, q3, q4 = questions_of(questionnaire)
    return {q1.pk: choice, q2.pk: ["广场", "图书角"], q3.pk: 4, q4.pk: text}


def post_data(questionnaire, *, choice="儿童课堂", text="希望多开几门课"):
    q1, q2, q3, q4 = questions_of(questionnaire)
    return {
        f"q{q1.pk}": choice,
        f"q{q2.pk}": ["广场", "图书角"],
        f"q{q3.pk}": "4",
        f"q{q4.pk}": text,
    }
