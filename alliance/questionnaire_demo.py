"""The questionnaires' part of `manage.py seed_demo`: two questionnaires with answers.

An anonymous one for all residents, open now (the demo parent has not answered it yet, so the
form can be tried), with online and paper answers; and a named one for parents that closed last
month. Safe to run twice: a questionnaire already there is left alone.
"""

import random
from datetime import timedelta

from django.utils.timezone import now

from alliance import questionnaire_services as services
from alliance.questionnaires import Question, Questionnaire
from portal.models import User
from portal.questions import Kind

SERVICES = "社区服务需求调查"
CLASSROOM = "邻里课堂家长问卷"

SUGGESTIONS = [
    "希望3号楼门口加装扶手，老人上下台阶不方便",
    "晚上广场的路灯太暗了",
    "希望周末也有儿童活动",
    "老年食堂能不能增加一些低盐的菜",
    "希望有人教老人用智能手机",
    "小区里的健身器材有些坏了",
    "",
    "",
]


def _questions(questionnaire, rows):
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, position=i, **row) for i, row in enumerate(rows, 1)
    )
    return list(questionnaire.questions.order_by("position"))


def _services_questionnaire(staff):
    questionnaire = Questionnaire.objects.create(
        title=SERVICES,
        intro="为了把社区服务做得更贴心，请花两分钟告诉我们您的想法。问卷不记名。",
        audience=Questionnaire.Audience.ALL,
        anonymous=True,
        opens_at=now() - timedelta(days=5),
        closes_at=now() + timedelta(days=25),
        created_by=staff,
        announced_at=now() - timedelta(days=5),
    )
    questions = _questions(
        questionnaire,
        [
            {
                "label": "您最希望社区增加哪项服务？",
                "kind": Kind.CHOICE,
                "choices": "老年助餐\n儿童托管\n家电维修\n健康义诊",
            },
            {
                "label": "您平时常去社区的哪些地方？（可多选）",
                "kind": Kind.MULTIPLE,
                "choices": "社区广场\n图书角\n活动室\n老年食堂",
            },
            {"label": "您对社区服务的总体满意度", "kind": Kind.SCALE},
            {"label": "其他意见和建议", "kind": Kind.LONG_TEXT, "required": False},
        ],
    )
    return questionnaire, questions


def _classroom_questionnaire(staff):
    questionnaire = Questionnaire.objects.create(
        title=CLASSROOM,
        intro="邻里课堂开课一学期了，请家长们说说孩子的感受。",
        audience=Questionnaire.Audience.PARENTS,
        anonymous=False,
        opens_at=now() - timedelta(days=45),
        closes_at=now() + timedelta(days=1),  # closed below, once answered
        created_by=staff,
        announced_at=now() - timedelta(days=45),
    )
    questions = _questions(
        questionnaire,
        [
            {
                "label": "孩子每周能参加几次课？",
                "kind": Kind.CHOICE,
                "choices": "1次\n2次\n3次及以上",
            },
            {"label": "您对邻里课堂的满意度", "kind": Kind.SCALE},
            {"label": "希望增加什么课程？", "kind": Kind.TEXT, "required": False},
        ],
    )
    return questionnaire, questions


def _values(rng, questions):
    values = {}
    for q in questions:
        if q.kind == Kind.CHOICE:
            values[q.pk] = rng.choice(q.options)
        elif q.kind == Kind.MULTIPLE:
            values[q.pk] = rng.sample(q.options, rng.randint(1, 3))
        elif q.kind == Kind.SCALE:
            values[q.pk] = rng.choice([3, 4, 4, 5, 5, 2])
        elif q.kind == Kind.LONG_TEXT:
            values[q.pk] = rng.choice(SUGGESTIONS)
        else:
            values[q.pk] = rng.choice(["编程", "书法", "", "英语绘本"])
    return values


def seed(command, community, people):
    staff = people.get("alliance_staff") or people["admin"]
    rng = random.Random(15)
    lines = []
    residents = list(
        User.objects.filter(household__isnull=False, is_active=True)
        .exclude(pk=people["parent"].pk)  # left for trying the form
        .order_by("pk")[:40]
    )

    if not Questionnaire.objects.filter(title=SERVICES).exists():
        questionnaire, questions = _services_questionnaire(staff)
        answered = 0
        for user in residents:
            if questionnaire.audience in services.audience_groups(user):
                services.answer(questionnaire, user=user, values=_values(rng, questions))
                answered += 1
        for i in range(6):  # typed in from home visits to elders
            services.enter_paper(
                questionnaire,
                by=staff,
                values=_values(rng, questions),
                groups={Questionnaire.Audience.SENIORS} if i % 3 else set(),
            )
        lines.append(f"questionnaires: “{SERVICES}” with {answered} online and 6 paper answers")

    if not Questionnaire.objects.filter(title=CLASSROOM).exists():
        questionnaire, questions = _classroom_questionnaire(staff)
        answered = 0
        for user in [people["parent"], *residents]:
            if Questionnaire.Audience.PARENTS in services.audience_groups(user):
                services.answer(questionnaire, user=user, values=_values(rng, questions))
                answered += 1
        Questionnaire.objects.filter(pk=questionnaire.pk).update(
            closes_at=now() - timedelta(days=15)
        )
        lines.append(f"questionnaires: “{CLASSROOM}” (closed) with {answered} named answers")
    return lines
