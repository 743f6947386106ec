"""This module's part of `manage.py seed_demo` (see portal's seed_demo command).

Partner institutions, teachers, the 18 courses in four past terms and the current one, demo
families' children, registers for every class held so far (which adds up to the classroom's
class hours) and 张小明's enrolment (the micro-fund's demo ledger: fund/demo.py). Runs once: a
second run only makes sure the parent persona's child is enrolled.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from classes import services
from classes.models import (
    Attendance,
    ClassSession,
    Course,
    Enrolment,
    Teacher,
    Term,
    TimetableSlot,
)
from portal import roles
from portal.models import Household, HouseholdMember, Partner, User

INSTITUTIONS = [
    ("星光教育培训学校", "乐高、科学与数学思维课程"),
    ("彩虹艺术中心", "少儿美术、手工与舞蹈"),
    ("翰墨书法社", "书法与国学启蒙"),
    ("启明外语学校", "少儿英语"),
]
TEACHERS = [
    ("林老师", 0),
    ("周老师", 0),
    ("陈老师", 1),
    ("黄老师", 1),
    ("吴老师", 2),
    ("Emma 老师", 3),
]
# title, subject, teacher index, ages, weekday, start, end, places
COURSES = [
    ("乐高创意搭建", "lego", 0, 5, 8, 5, "09:00", "10:30", 12),
    ("乐高机器人", "lego", 0, 9, 12, 5, "10:45", "12:15", 10),
    ("趣味英语启蒙", "english", 5, 5, 7, 6, "09:00", "10:30", 15),
    ("少儿英语口语", "english", 5, 8, 12, 6, "10:45", "12:15", 15),
    ("儿童创意画画", "painting", 2, 5, 8, 5, "14:00", "15:30", 15),
    ("水彩与素描", "painting", 2, 9, 12, 6, "14:00", "15:30", 12),
    ("硬笔书法", "calligraphy", 4, 6, 12, 2, "16:30", "18:00", 20),
    ("毛笔书法", "calligraphy", 4, 8, 12, 5, "16:00", "17:30", 12),
    ("国学经典诵读", "reading", 4, 6, 10, 4, "16:30", "18:00", 20),
    ("绘本阅读", "reading", 3, 5, 7, 3, "16:30", "17:30", 15),
    ("小小科学家", "science", 1, 7, 12, 6, "16:00", "17:30", 15),
    ("数学思维游戏", "science", 1, 6, 9, 1, "16:30", "18:00", 15),
    ("围棋入门", "chess", 1, 6, 12, 0, "16:30", "18:00", 16),
    ("少儿舞蹈", "dance", 3, 5, 9, 6, "16:00", "17:30", 15),
    ("童声合唱", "music", 3, 6, 12, 3, "18:30", "20:00", 25),
    ("剪纸与手工", "crafts", 2, 6, 12, 0, "18:30", "20:00", 15),
    ("跳绳与体能", "sports", 1, 6, 12, 1, "18:30", "19:30", 20),
    ("安全与自护小课堂", "other", 3, 5, 12, 2, "18:30", "19:30", 30),
]
CHILD_NAMES = [
    "王子涵",
    "李欣怡",
    "刘浩然",
    "陈雨萱",
    "杨梓轩",
    "赵一诺",
    "黄思远",
    "周可馨",
    "吴宇航",
    "徐梓涵",
    "孙嘉怡",
    "马俊熙",
    "朱诗涵",
    "胡博文",
    "郭雨桐",
    "何子墨",
    "高语嫣",
    "林浩宇",
    "罗欣妍",
    "郑皓轩",
    "梁梓萌",
    "谢明哲",
    "宋雨泽",
    "唐佳琪",
    "许天佑",
    "韩若曦",
    "冯子豪",
    "邓欣然",
    "曹睿泽",
    "彭梦琪",
    "曾嘉豪",
    "萧雨欣",
    "田志远",
    "董思彤",
    "袁浩宇",
    "潘悦",
]
# Courses with a materials fee (yuan); the others are free. A share of each fee feeds the fund.
FEES = {"乐高机器人": Decimal("60.00"), "水彩与素描": Decimal("40.00")}
# This term's course filled by lottery (its seed and result are on its lottery page).
LOTTERY_COURSE = "少儿舞蹈"
MARKS = ["present"] * 17 + ["late"] * 2 + ["excused", "absent"]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _term_name(starts_on: date) -> str:
    season = "春季" if 2 <= starts_on.month <= 7 else "秋季"
    return f"{starts_on.year}年{season}学期"


def seed(command, community, people):
    """Create demo data for the module; idempotent. Returns lines to print."""
    lines = []
    if Teacher.objects.filter(institution__name=INSTITUTIONS[0][0]).exists():
        lines.append("classes: demo classroom already present")
    else:
        lines += _seed_classroom(people)
    lines += _enrol_demo_child(people)
    return lines


def _seed_classroom(people) -> list[str]:
    rng = random.Random(2019)
    today = timezone.localdate()
    institutions = [
        Partner.objects.get_or_create(
            name=n, defaults={"about": a, "kind": Partner.Kind.EDUCATION}
        )[0]
        for n, a in INSTITUTIONS
    ]
    teacher_user = _teacher_account()
    teachers = []
    for i, (name, inst) in enumerate(TEACHERS):
        teachers.append(
            Teacher.objects.create(
                name=name, institution=institutions[inst], user=teacher_user if i == 0 else None
            )
        )
    # The current term started eight weeks ago; four earlier terms are over.
    current_start = _monday(today) - timedelta(weeks=8)
    starts = [current_start - timedelta(weeks=26 * k) for k in (4, 3, 2, 1, 0)]
    terms = [
        Term.objects.create(
            name=_term_name(s), starts_on=s, ends_on=s + timedelta(weeks=18) - timedelta(days=1)
        )
        for s in starts
    ]
    children = _demo_children(rng)
    now = timezone.now()
    total_courses = 0
    for term in terms:
        current = term is terms[-1]
        opens = timezone.make_aware(datetime.combine(term.starts_on - timedelta(days=14), time(9)))
        closes = (
            now + timedelta(days=21)
            if current
            else timezone.make_aware(datetime.combine(term.starts_on, time(20)))
        )
        busy: dict[int, list[TimetableSlot]] = {c.pk: [] for c in children}
        for title, subject, t, lo, hi, weekday, start, end, places in COURSES:
            course = Course.objects.create(
                term=term,
                title=title,
                subject=subject,
                institution=teachers[t].institution,
                teacher=teachers[t],
                age_min=lo,
                age_max=hi,
                place="社区睦邻课堂活动室",
                capacity=places,
                enrol_opens_at=opens,
                enrol_closes_at=closes,
                fee=FEES.get(title, Decimal("0.00")),
                description=f"{title}：由{teachers[t].institution.name}的老师授课，公益课程。",
            )
            drawn = current and title == LOTTERY_COURSE
            if drawn:
                # A popular course this term was filled by a published lottery.
                course.mode = Course.Mode.LOTTERY
                course.enrol_closes_at = opens + timedelta(days=7)
                course.lottery_seed = f"demo-{term.starts_on:%Y%m%d}"  # the same demo each time
                course.save(update_fields=["mode", "enrol_closes_at"])
            slot = TimetableSlot.objects.create(
                course=course,
                weekday=weekday,
                starts_at=time.fromisoformat(start),
                ends_at=time.fromisoformat(end),
            )
            services.generate_sessions(course)
            total_courses += 1
            # Fill most places (the current term leaves a few free for the demo parent).
            wanted = places - (3 if current else rng.randint(0, 2))
            if drawn:
                wanted = places + 4  # more entries than places
            fits = [
                c
                for c in children
                if course.accepts_age(c.age_on(term.starts_on))
                and not any(slot.overlaps(other) for other in busy[c.pk])
            ]
            rng.shuffle(fits)
            enrolments = []
            for child in fits[:wanted]:
                busy[child.pk].append(slot)
                enrolments.append(
                    Enrolment(
                        course=course,
                        child=child,
                        status=Enrolment.Status.APPLIED if drawn else Enrolment.Status.ENROLLED,
                        photo_consent=rng.random() < 0.8,
                        pickup_people="父母或祖父母",
                        fee=course.fee,
                        created_at=opens,
                        placed_at=None if drawn else opens,
                    )
                )
            Enrolment.objects.bulk_create(enrolments)
            if drawn:
                services.run_lottery(course, by=people["classes_staff"])
            if course.fee and current:
                for enrolment in course.enrolments.all():
                    services.record_fee_payment(enrolment, by=people["classes_staff"])
    held = _take_past_registers(rng, today, people)
    hours = ClassSession.objects.total_hours()
    return [
        f"classes: {len(institutions)} partner institutions, {len(teachers)} teachers, "
        f"{len(terms)} terms, {total_courses} courses, {len(children)} demo children",
        f"classes: {held} classes held so far, {hours} class hours",
        f"classes: teacher log-in {teacher_user.mobile} ({teacher_user.real_name})",
    ]


def _teacher_account() -> User:
    from portal import demo as portal_demo
    from portal import services as portal_services

    user = User.objects.filter(mobile="13800000010").first()
    if user is None:
        user = User.objects.create_user(
            username="demo-teacher",
            password=portal_demo.DEMO_PASSWORD,
            mobile="13800000010",
        )
        portal_services.register_resident(user, real_name="林老师", birth_date=date(1990, 4, 4))
    roles.grant_role(user, roles.RESIDENT)
    return user


def _demo_children(rng) -> list[HouseholdMember]:
    """Demo families without accounts: 36 children aged about 5 to 12."""
    today = timezone.localdate()
    children = []
    for i, name in enumerate(CHILD_NAMES):
        address = {
            "building": str(7 + i % 6),
            "unit": str(1 + i % 3),
            "room": f"{1 + i // 6}0{1 + i % 2}",
        }
        years = 5 + (i % 8)
        born = today - timedelta(days=int(365.25 * years) + rng.randint(30, 330))
        children.append(_demo_child(name, address, born))
    return children


def _demo_child(name: str, address: dict, born: date) -> HouseholdMember:
    """The demo child of that name at that address, made (with a household of its own) once.

    Found through the child, not the address: other modules' demos may put households at the
    same address, so looking a household up by address alone would match several.
    """
    child = (
        HouseholdMember.objects.filter(
            name=name,
            relation=HouseholdMember.Relation.CHILD,
            user__isnull=True,
            **{f"household__{field}": value for field, value in address.items()},
        )
        .order_by("pk")
        .first()
    )
    if child is None:
        household = Household.objects.create(**address)
        child = HouseholdMember.objects.create(
            household=household,
            name=name,
            relation=HouseholdMember.Relation.CHILD,
            birth_date=born,
        )
    return child


def _take_past_registers(rng, today, people) -> int:
    """Registers for every session before today: sessions held, a realistic mix of marks."""
    by = people["classes_staff"]
    sessions = list(ClassSession.objects.filter(date__lt=today).select_related("course"))
    enrolled: dict[int, list[int]] = {}
    for course_id, enrolment_id in Enrolment.objects.enrolled().values_list("course_id", "pk"):
        enrolled.setdefault(course_id, []).append(enrolment_id)
    marks = []
    moment = timezone.now()
    notes = ["今天大家都很专注。", "作品完成得很好，请家长在家鼓励孩子。", "下次课请带上彩笔。", ""]
    for session in sessions:
        session.status = ClassSession.Status.HELD
        session.register_taken_at = moment
        session.notes = rng.choice(notes)
        for enrolment_id in enrolled.get(session.course_id, []):
            marks.append(
                Attendance(
                    session=session,
                    enrolment_id=enrolment_id,
                    mark=rng.choice(MARKS),
                    marked_by=by,
                    marked_at=moment,
                )
            )
    ClassSession.objects.bulk_update(
        sessions, ["status", "register_taken_at", "notes"], batch_size=500
    )
    Attendance.objects.bulk_create(marks, batch_size=1000)
    return len(sessions)


def _enrol_demo_child(people) -> list[str]:
    """The parent persona's 张小明 (born 2018) has a place in Lego this term."""
    parent = people["parent"]
    child = HouseholdMember.objects.filter(household=parent.household, name="张小明").first()
    course = (
        Course.objects.filter(title="乐高创意搭建", term__ends_on__gte=timezone.localdate())
        .order_by("-term__starts_on")
        .first()
    )
    if child is None or course is None:
        return []
    if Enrolment.objects.active().filter(child=child, course=course).exists():
        return []
    now = timezone.now()
    Enrolment.objects.create(
        course=course,
        child=child,
        enrolled_by=parent,
        status=Enrolment.Status.ENROLLED,
        photo_consent=True,
        pickup_people="张妈妈（母亲）、张爷爷（祖父）",
        created_at=now,
        placed_at=now,
    )
    return [f"classes: 张小明 enrolled in {course.title}"]
