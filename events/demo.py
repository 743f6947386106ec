"""This module's part of `manage.py seed_demo` (see portal's seed_demo command).

The first "Hello, Neighbour" (你好·邻居) Neighbour Festival with its seven tracks and eleven
activities (from DOMAIN.md), a few registrations and stall applications, and a past event with
check-ins so the figures page has numbers. Idempotent: found by title, never duplicated.
"""

from datetime import date, datetime, time, timedelta

from django.utils.timezone import localdate, make_aware, now

from events import services
from events.models import Activity, Booking, Event, Question, Registration
from portal import services as portal_services
from portal.models import HouseholdMember

FESTIVAL = "首届“你好·邻居”邻里节"
PAST_EVENT = "中秋邻里游园会"

TRACKS = [
    ("睦邻歌", "唱响邻里情：歌舞联欢"),
    ("睦邻乐", "快乐在一起：趣味运动"),
    ("睦邻颂", "诵读好家风：朗诵比赛"),
    ("睦邻情", "邻里互助：党员志愿者便民服务"),
    ("睦邻聚", "亲子同乐：孩子们的游园会"),
    ("睦邻暖", "温暖的味道：免费品尝"),
    ("睦邻转转圈", "在社区里走一走：跳蚤市场与公益绿跑"),
]

# title, track, kind, day (0/1), start, end, place, audience, registration, extra
ACTIVITIES = [
    (
        "社区跳蚤市场",
        "睦邻转转圈",
        "market",
        0,
        "09:00",
        "12:00",
        "社区广场",
        "everyone",
        None,
        {"stall_count": 30, "description": "闲置物品交换、义卖；申请摊位后由工作人员分配摊位号。"},
    ),
    (
        "趣味运动会",
        "睦邻乐",
        "activity",
        0,
        "09:00",
        "11:30",
        "社区篮球场",
        "families",
        {"capacity": 60, "household_limit": 4},
        {
            "description": "袋鼠跳、两人三足、拔河，老少皆宜。",
            "questions": [
                ("参加项目", "choice", "袋鼠跳\n两人三足\n拔河", True),
                ("同意活动中拍照并在社区宣传中使用", "consent", "", False),
            ],
        },
    ),
    (
        "便民服务摊位：补鞋、织补、小家电维修、磨刀",
        "睦邻情",
        "service",
        0,
        "09:00",
        "12:00",
        "社区服务中心门口",
        "everyone",
        None,
        {"description": "党员志愿者现场服务，免费。"},
    ),
    (
        "免费品尝：糖画",
        "睦邻暖",
        "tasting",
        0,
        "14:00",
        "17:00",
        "社区广场东侧",
        "everyone",
        None,
        {"description": "老手艺人现场画糖画。"},
    ),
    (
        "免费品尝：糖葫芦",
        "睦邻暖",
        "tasting",
        0,
        "14:00",
        "17:00",
        "社区广场东侧",
        "everyone",
        None,
        {},
    ),
    (
        "免费品尝：爆米花",
        "睦邻暖",
        "tasting",
        0,
        "14:00",
        "17:00",
        "社区广场东侧",
        "everyone",
        None,
        {},
    ),
    (
        "免费品尝：麻圆",
        "睦邻暖",
        "tasting",
        0,
        "14:00",
        "17:00",
        "社区广场东侧",
        "everyone",
        None,
        {},
    ),
    (
        "亲子游园游戏",
        "睦邻聚",
        "activity",
        0,
        "15:00",
        "16:30",
        "社区活动室",
        "children",
        {"capacity": 2, "household_limit": 2, "min_age": 5, "max_age": 12},
        {
            "description": "套圈、投壶、猜谜，孩子参加，家长陪同。名额很少，满员后可排队候补。",
            "questions": [
                ("接孩子的成年人姓名", "text", "", True),
                ("同意活动中拍照", "consent", "", True),
            ],
        },
    ),
    (
        "歌舞联欢晚会",
        "睦邻歌",
        "activity",
        0,
        "19:00",
        "21:00",
        "社区广场舞台",
        "everyone",
        {"capacity": 120, "household_limit": 4},
        {"description": "居民自编自演的歌舞节目。"},
    ),
    (
        "公益“绿跑”",
        "睦邻转转圈",
        "activity",
        1,
        "08:00",
        "10:00",
        "公园路起点",
        "adults",
        {"capacity": 100, "household_limit": 4, "min_age": 12},
        {
            "description": "5公里公益跑，沿途捡拾垃圾。",
            "questions": [
                ("T恤尺码", "choice", "S\nM\nL\nXL\nXXL", True),
                ("第一次参加绿跑吗？", "yes_no", "", False),
                ("同意活动中拍照", "consent", "", False),
            ],
        },
    ),
    (
        "“诵读好家风”朗诵比赛",
        "睦邻颂",
        "activity",
        1,
        "14:00",
        "16:00",
        "社区会议室",
        "everyone",
        {"capacity": 20, "household_limit": 2, "min_age": 6},
        {
            "description": "每人限时5分钟，自选篇目。",
            "questions": [
                ("朗诵篇目", "text", "", True),
                ("预计时长（分钟）", "number", "", False),
            ],
        },
    ),
]


def _at(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return make_aware(datetime.combine(day, time(h, m)))


def _member(user, name, relation, born):
    found = HouseholdMember.objects.filter(household_id=user.household_id, name=name).first()
    return found or portal_services.add_member(user, name=name, relation=relation, birth_date=born)


def seed(command, community, people):
    """Create demo data for the module; idempotent. Returns lines to print."""
    lines = []
    festival = Event.objects.filter(title=FESTIVAL).first()
    if festival is None:
        festival = _seed_festival()
        lines.append(f"events: festival “{FESTIVAL}” with 7 tracks, {len(ACTIVITIES)} activities")
        lines += _seed_registrations(festival, people)
    else:
        lines.append("events: festival already there")
    if not Event.objects.filter(title=PAST_EVENT).exists():
        _seed_past_event(people)
        lines.append(f"events: past event “{PAST_EVENT}” with check-ins")
    return lines


def _seed_festival() -> Event:
    today = localdate()
    saturday = today + timedelta(days=14 + (5 - today.weekday()) % 7)
    festival = Event.objects.create(
        title=FESTIVAL,
        kind=Event.Kind.FESTIVAL,
        summary="睦邻品牌的第一届邻里节：七大主题、十余项活动，人人参与、人人负责、人人共享。",
        description="让邻居们相互认识、走到一起。活动需要报名的请在手机上报名，凭二维码入场。",
        place="公园路社区",
        starts_on=saturday,
        ends_on=saturday + timedelta(days=1),
        is_published=True,
    )
    tracks = {}
    for n, (name, theme) in enumerate(TRACKS):
        tracks[name] = festival.tracks.create(name=name, theme=theme, position=n)
    opens = now() - timedelta(days=1)
    for title, track, kind, offset, start, end, place, audience, reg, extra in ACTIVITIES:
        day = saturday + timedelta(days=offset)
        fields = dict(reg or {})
        activity = Activity.objects.create(
            event=festival,
            track=tracks[track],
            title=title,
            kind=kind,
            description=extra.get("description", ""),
            place=place,
            starts_at=_at(day, start),
            ends_at=_at(day, end),
            audience=audience,
            needs_registration=reg is not None,
            registration_opens_at=opens if reg else None,
            registration_closes_at=_at(day, start) - timedelta(days=1) if reg else None,
            stall_count=extra.get("stall_count", 0),
            **fields,
        )
        for pos, (label, qkind, choices, required) in enumerate(extra.get("questions", [])):
            Question.objects.create(
                activity=activity,
                label=label,
                kind=qkind,
                choices=choices,
                required=required,
                position=pos,
            )
    return festival


def _answers(activity, member, values):
    return {member.pk: {q.pk: values.get(q.label) for q in activity.questions.all()}}


def _seed_registrations(festival, people) -> list[str]:
    acts = {a.title: a for a in festival.activities.all()}
    parent, elder, volunteer, leader = (
        people["parent"],
        people["elder"],
        people["volunteer"],
        people["leader"],
    )
    child = _member(parent, "张小明", HouseholdMember.Relation.CHILD, date(2018, 9, 1))
    duoduo = _member(volunteer, "李朵朵", HouseholdMember.Relation.CHILD, date(2017, 3, 12))
    lele = _member(leader, "陈乐乐", HouseholdMember.Relation.GRANDCHILD, date(2019, 6, 6))

    games = acts["亲子游园游戏"]
    for user, kid, adult in [
        (parent, child, "张妈妈"),
        (volunteer, duoduo, "李志愿"),
        (leader, lele, "陈队长"),
    ]:
        services.register(
            games,
            user=user,
            members=[kid],
            answers=_answers(games, kid, {"接孩子的成年人姓名": adult, "同意活动中拍照": True}),
        )
    gala = acts["歌舞联欢晚会"]
    services.register(gala, user=elder, members=[elder.member])
    services.register(gala, user=parent, members=[parent.member, child])
    run = acts["公益“绿跑”"]
    services.register(
        run,
        user=volunteer,
        members=[volunteer.member],
        answers=_answers(
            run,
            volunteer.member,
            {"T恤尺码": "M", "第一次参加绿跑吗？": True, "同意活动中拍照": True},
        ),
    )
    sports = acts["趣味运动会"]
    services.register(
        sports,
        user=parent,
        members=[parent.member, child],
        answers={
            **_answers(sports, parent.member, {"参加项目": "两人三足"}),
            **_answers(sports, child, {"参加项目": "袋鼠跳"}),
        },
    )
    market = acts["社区跳蚤市场"]
    first = services.apply_for_stall(market, user=elder, goods="旧书、连环画", needs_table=True)
    services.decide_stall(first, approve=True, reason="", by=people["events_staff"])
    services.apply_for_stall(market, user=volunteer, goods="儿童玩具、绘本", needs_table=False)
    return ["events: 9 registrations (one on the waiting list), 2 stall applications"]


def _seed_past_event(people):
    """A past event with check-ins, a no-show and a walk-in, for the figures page."""
    day = localdate() - timedelta(days=60)
    event = Event.objects.create(
        title=PAST_EVENT,
        kind=Event.Kind.EVENT,
        place="社区广场",
        starts_on=day,
        ends_on=day,
        is_published=True,
        summary="猜灯谜、做月饼，邻里共度中秋。",
    )
    track = event.tracks.create(name="睦邻聚", theme="邻里共度佳节")
    activity = Activity.objects.create(
        event=event,
        track=track,
        title="猜灯谜",
        place="社区广场",
        starts_at=_at(day, "19:00"),
        ends_at=_at(day, "21:00"),
        needs_registration=True,
        capacity=30,
    )
    staff = people["events_staff"]
    came = _at(day, "18:55")
    for key, checked in [("parent", True), ("elder", True), ("volunteer", False)]:
        user = people[key]
        booking = Booking.objects.create(
            activity=activity, household_id=user.household_id, booked_by=user
        )
        Registration.objects.create(
            booking=booking,
            activity=activity,
            member=user.member,
            confirmed_at=came - timedelta(days=5),
            checked_in_at=came if checked else None,
            checked_in_by=staff if checked else None,
        )
    booking = Booking.objects.create(activity=activity, booked_by=staff)
    Registration.objects.create(
        booking=booking,
        activity=activity,
        walk_in_name="路过的邻居",
        confirmed_at=came,
        checked_in_at=came,
        checked_in_by=staff,
    )
