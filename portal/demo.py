"""The shared layer's demo data: the community and the demo accounts every module builds on."""

from datetime import date

from allauth.account.models import EmailAddress
from django.db import transaction

from portal import roles, services
from portal.models import Announcement, Community, HouseholdMember, User

DEMO_PASSWORD = "neighbour2026"

# key: (mobile, email, real name, birth date, building/unit/room, roles, superuser)
DEMO_PEOPLE = {
    "admin": (
        "13800000001",
        "admin@example.com",
        "管理员",
        date(1980, 3, 1),
        ("1", "1", "101"),
        [roles.COMMUNITY_ADMIN],
        True,
    ),
    "coordinator": (
        "13800000002",
        "volunteers@example.com",
        "周协调",
        date(1975, 6, 12),
        ("1", "2", "201"),
        [roles.VOLUNTEER_COORDINATOR],
        False,
    ),
    "events_staff": (
        "13800000003",
        "events@example.com",
        "吴活动",
        date(1985, 9, 3),
        ("2", "1", "301"),
        [roles.EVENTS_STAFF],
        False,
    ),
    "canteen_staff": (
        "13800000004",
        "canteen@example.com",
        "郑食堂",
        date(1978, 1, 20),
        ("2", "2", "102"),
        [roles.CANTEEN_STAFF],
        False,
    ),
    "classes_staff": (
        "13800000005",
        "classes@example.com",
        "王课堂",
        date(1990, 11, 8),
        ("3", "1", "502"),
        [roles.CLASSES_STAFF],
        False,
    ),
    "alliance_staff": (
        "13800000011",
        "alliance@example.com",
        "赵联盟",
        date(1983, 10, 1),
        ("3", "1", "301"),
        [roles.ALLIANCE_STAFF],
        False,
    ),
    "leader": (
        "13800000006",
        "leader@example.com",
        "陈队长",
        date(1968, 4, 15),
        ("3", "2", "402"),
        [roles.RESIDENT, roles.VOLUNTEER, roles.TEAM_LEADER],
        False,
    ),
    "volunteer": (
        "13800000007",
        "volunteer@example.com",
        "李志愿",
        date(1995, 7, 7),
        ("4", "1", "603"),
        [roles.RESIDENT, roles.VOLUNTEER],
        False,
    ),
    "parent": (
        "13800000008",
        "parent@example.com",
        "张妈妈",
        date(1988, 5, 21),
        ("5", "1", "301"),
        [roles.RESIDENT],
        False,
    ),
    "elder": (
        "13800000009",
        "elder@example.com",
        "刘奶奶",
        date(1950, 2, 14),
        ("6", "1", "101"),
        [roles.RESIDENT],
        False,
    ),
}


@transaction.atomic
def seed_people() -> dict[str, User]:
    """Create (or find) the demo accounts; returns them by key."""
    people = {}
    for key, (mobile, email, name, born, (b, u, r), role_list, superuser) in DEMO_PEOPLE.items():
        user = User.objects.filter(mobile=mobile).first()
        if user is None:
            user = User.objects.create_user(
                username=f"demo-{key}", email=email, password=DEMO_PASSWORD, mobile=mobile
            )
            services.register_resident(user, real_name=name, birth_date=born)
            services.save_profile(user, real_name=name, birth_date=born, building=b, unit=u, room=r)
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        if superuser and not user.is_superuser:
            user.is_superuser = True
            user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        for role in role_list:
            roles.grant_role(user, role)
        people[key] = user
    parent = people["parent"]
    if not HouseholdMember.objects.filter(household=parent.household, name="张小明").exists():
        services.add_member(
            parent,
            name="张小明",
            relation=HouseholdMember.Relation.CHILD,
            birth_date=date(2018, 9, 1),
        )
    return people


def seed_community() -> Community:
    community = Community.current()
    if not community.phone:
        community.street_address = "公园路1号社区服务中心"
        community.phone = "028-8888 0000"
        community.office_hours = "周一至周五 9:00–17:30"
        community.about = (
            "公园路社区隶属龙泉街道。社区以“睦邻”为品牌，建有8支志愿者队伍，每月10日为“红星服务日”，"
            "开设睦邻食堂、睦邻课堂，举办“你好·邻居”邻里节。"
        )
        community.save()
    return community


def seed_announcements(author: User) -> int:
    items = [
        (
            "红星服务日：每月10日，志愿者在社区广场为居民服务",
            "补鞋、织补、小家电维修、磨刀……欢迎居民前来，也欢迎报名成为志愿者。人人都是志愿者！",
            True,
        ),
        (
            "睦邻食堂开饭啦",
            "每餐12–16元，荤素搭配、健康营养；60周岁以上老人每餐补贴4元。每月8日志愿者为空巢老人和困难家庭送爱心免费餐。",
            False,
        ),
        ("睦邻课堂招生", "18门公益课程面向5–12岁儿童免费开放：乐高、英语、画画、书法……", False),
    ]
    created = 0
    for title, body, pinned in items:
        _obj, was_created = Announcement.objects.get_or_create(
            title=title, defaults={"body": body, "pinned": pinned, "created_by": author}
        )
        created += was_created
    return created


# (persona, kind, text, URL name, read): a few messages in each demo person's inbox
DEMO_NOTICES = [
    (
        "volunteer",
        "reminder",
        "提醒：明天 09:00 您在“补鞋”岗位服务，地点：社区广场。",
        "volunteers:my-schedule",
        False,
    ),
    (
        "volunteer",
        "promoted",
        "有空位了：您已获得“小家电维修”岗位的名额。",
        "volunteers:my-schedule",
        True,
    ),
    ("leader", "team_application", "李志愿申请加入补鞋队。", "volunteers:index", False),
    ("leader", "message", "本月红星服务日的岗位已发布，请安排队员报名。", "volunteers:index", True),
    (
        "parent",
        "time_changed",
        "“乐高搭建”本周六的课改到周日 09:00，地点不变。",
        "classes:mine",
        False,
    ),
    ("parent", "promoted", "有空位了：张小明已获得“趣味运动会”的名额。", "events:my", False),
    ("parent", "reminder", "提醒：“亲子绿跑”明天 08:30 开始，请带好电子票。", "events:my", True),
    ("elder", "newsletter", "本周睦邻食堂菜单已发布，欢迎预订。", "canteen:index", False),
    ("elder", "cancelled", "周三的书法体验课取消了，给您带来不便，敬请谅解。", "events:my", True),
    ("coordinator", "message", "下月服务日岗位已生成，请检查。", "volunteers:index", False),
    ("events_staff", "message", "跳蚤市场有3份摊位申请待审核。", "events:index", False),
    ("canteen_staff", "message", "本周菜单尚未发布。", "canteen:index", False),
    ("classes_staff", "message", "“英语绘本”的抽签已完成，请查看结果。", "classes:index", False),
    ("admin", "message", "本月补贴结算已可导出。", "home", False),
    (
        "alliance_staff",
        "message",
        "3号楼居民提交了新的微心愿，请及时处理。",
        "alliance:manage",
        False,
    ),
]


def seed_notices(people: dict[str, User]) -> int:
    """A few messages in each demo person's inbox, some read; safe to run twice (each has a key).

    Written without texts or mails: the demo shows the inbox, not a flood of console output.
    """
    from django.urls import reverse
    from django.utils.timezone import now

    from portal.models import Notice
    from portal.notices import inbox_only, notify

    made = 0
    with inbox_only(), transaction.atomic():
        for number, (who, kind, text, url_name, read) in enumerate(DEMO_NOTICES):
            user = people[who]
            key = f"demo:{number}"
            if Notice.objects.filter(recipient=user, key=key).exists():
                continue
            notice = notify(user, kind, text, reverse(url_name), key=key)
            if read:
                Notice.objects.filter(pk=notice.pk).update(read_at=now())
            made += 1
    return made


# The elder registered at the office but has not had the number confirmed yet: staff can try the
# admin's "mark the mobile verified" action on them.
UNVERIFIED_DEMO_MOBILES = {"elder"}


@transaction.atomic
def seed_deliveries(people: dict[str, User]) -> int:
    """Verify the demo mobiles (at the office, by the admin) and leave one failed text for staff
    to find in the outbox (admin → deliveries, filter "failed"). Returns rows made."""
    from portal.models import Delivery

    admin = people["admin"]
    for key, user in people.items():
        if key not in UNVERIFIED_DEMO_MOBILES and not user.mobile_verified:
            services.mark_mobile_verified(user, by=admin)
    volunteer = people["volunteer"]
    _row, created = Delivery.objects.get_or_create(
        key="demo:failed-reminder",
        defaults={
            "user": volunteer,
            "channel": Delivery.Channel.SMS,
            "kind": "reminder",
            "to": volunteer.mobile,
            "text": "明天上午9点是红星服务日，您报名的岗位请准时到岗。",
            # what every reminder's text carries (notices.SMS_PARAMS), as a real one would
            "params": {"title": "红星服务日·楼道清洁", "time": "明天 09:00", "place": "3号楼门口"},
            "state": Delivery.State.FAILED,
            "attempts": 5,
            "last_error": "isv.DAY_LIMIT_CONTROL: 触发日发送限额",
        },
    )
    return int(created)
