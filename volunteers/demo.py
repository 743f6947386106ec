"""This module's part of `manage.py seed_demo` (see portal's seed_demo command).

Eight teams with flags, post templates, a year of Red Star Service Days, volunteers with
sign-ups, attendance and hours. Safe to run twice: everything is looked up before it is made.
"""

import io
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.timezone import localdate, make_aware, now

from portal import roles
from portal import services as portal_services
from portal.models import User
from portal.notices import inbox_only
from volunteers import services
from volunteers.models import Membership, Post, PostTemplate, Signup, Source, Team

# slug, name, colour, description, (post title, place, start, end, capacity, skills), open
TEAMS = [
    (
        "party-vanguard",
        "党员先锋队",
        (179, 38, 30),
        "党员志愿者在红星服务日开设便民服务摊位，带头服务居民。",
        ("党员便民服务摊", "社区广场东侧", time(9), time(11, 30), 6, "咨询,理发,量血压"),
        False,
    ),
    (
        "shoe-repair",
        "便民补鞋队",
        (142, 68, 33),
        "补鞋、钉鞋跟、擦鞋，老手艺为邻居服务。",
        ("补鞋", "社区广场", time(9), time(11), 3, "补鞋"),
        True,
    ),
    (
        "mending",
        "巧手织补队",
        (190, 90, 140),
        "缝补衣物、改裤脚、钉扣子。",
        ("织补", "社区广场", time(9), time(11), 3, "缝纫,织补"),
        True,
    ),
    (
        "appliance-repair",
        "家电维修队",
        (30, 90, 160),
        "修理电饭煲、电风扇、台灯等小家电。",
        ("小家电维修", "社区服务中心一楼", time(9), time(12), 4, "小家电维修"),
        True,
    ),
    (
        "knife-sharpening",
        "磨刀队",
        (90, 90, 90),
        "磨菜刀、剪刀，安全又锋利。",
        ("磨刀", "社区广场西侧", time(9), time(11), 2, "磨刀"),
        True,
    ),
    (
        "love-meal",
        "爱心送餐队",
        (220, 120, 20),
        "为空巢老人和困难家庭送餐上门。",
        ("送餐上门", "睦邻食堂", time(11), time(12, 30), 6, "送餐,骑车"),
        True,
    ),
    (
        "green-home",
        "美丽家园队",
        (40, 140, 70),
        "清理楼道、美化绿地、垃圾分类宣传。",
        ("楼道清洁", "3号楼", time(8, 30), time(10, 30), 8, "清洁"),
        True,
    ),
    (
        "mums-help",
        "妈妈帮亲子队",
        (230, 100, 120),
        "睦邻课堂的家长们，带着孩子一起做公益。",
        ("亲子义卖", "睦邻课堂", time(14), time(16), 5, "组织,手工"),
        True,
    ),
]

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
TITLES = ["师傅", "阿姨", "大姐", "叔叔", "大爷", "老师", "奶奶", "大哥"]
# 32 helpers with unusable passwords (they never log in): 13800100001 …
VOLUNTEERS = [(f"138001{n:05d}", SURNAMES[n - 1] + TITLES[n % len(TITLES)]) for n in range(1, 33)]


def flag_png(colour, text_colour=(255, 215, 0)) -> bytes:
    """A simple team flag: a coloured field with a gold five-pointed star."""
    import math

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (300, 200), colour)
    draw = ImageDraw.Draw(img)
    cx, cy, outer, inner = 75, 70, 45, 18
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy - r * math.sin(a)))
    draw.polygon(points, fill=text_colour)
    draw.rectangle([0, 180, 300, 200], fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _person(k, mobile, name):
    """A demo helper with an address of their own (buildings 20+, clear of other demo data)."""
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        user = User.objects.create_user(username=f"demo-v{mobile[-3:]}", mobile=mobile)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        portal_services.register_resident(user, real_name=name, birth_date=date(1970, 1, 1))
        portal_services.save_profile(
            user,
            real_name=name,
            birth_date=date(1970, 1, 1),
            building=str(20 + k // 8),
            unit="1",
            room=f"{k % 8 + 1}01",
        )
    roles.grant_role(user, roles.VOLUNTEER)
    return user


def _member(user, team, by):
    if not Membership.objects.filter(user=user, team=team, status="approved").exists():
        Membership.objects.create(
            user=user,
            team=team,
            status=Membership.Status.APPROVED,
            decided_by=by,
            decided_at=now(),
            message="我想参加",
            source=Source.DEMO,
        )
    services.ensure_profile(user)


def seed(command, community, people):
    """Create demo data for the module; idempotent. Returns lines to print."""
    with inbox_only(), transaction.atomic():
        return _seed(community, people)


def _seed(community, people):
    leader, volunteer, coordinator = people["leader"], people["volunteer"], people["coordinator"]
    teams = []
    for i, (slug, name, colour, about, tpl, is_open) in enumerate(TEAMS):
        team, _created = Team.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": about,
                "is_open": is_open,
                "sort_order": i,
                "founded_on": date(2019, 3, 10),
            },
        )
        if not team.flag:
            team.flag.save(f"{slug}.png", ContentFile(flag_png(colour)), save=True)
        title, place, start, end, capacity, skills = tpl
        PostTemplate.objects.get_or_create(
            team=team,
            title=title,
            defaults={
                "place": place,
                "start_time": start,
                "end_time": end,
                "capacity": capacity,
                "skills": skills,
            },
        )
        teams.append(team)
    shoe = Team.objects.get(slug="shoe-repair")
    if shoe.leader_id is None:
        shoe.leader = leader
        shoe.save(update_fields=["leader"])
    helpers = [_person(k, m, n) for k, (m, n) in enumerate(VOLUNTEERS)]
    # every other team is led by one of the helpers, so schedules show a leader to call
    for k, team in enumerate(Team.objects.filter(leader__isnull=True).order_by("sort_order")):
        team.leader = helpers[len(helpers) - 1 - k]
        team.save(update_fields=["leader"])
        roles.grant_role(team.leader, roles.TEAM_LEADER)
        _member(team.leader, team, coordinator)
    for k, user in enumerate(helpers):
        _member(user, teams[k % len(teams)], leader)
        if k < 4:
            _member(user, shoe, leader)
    _member(leader, shoe, coordinator)
    _member(volunteer, shoe, leader)
    for k, user in enumerate(helpers[:6]):
        if k % 2 == 0:
            services.set_name_visibility(user, True)
    # an application waiting for the leader, and a parent's offer through the classes
    parent = people["parent"]
    services.submit_volunteer_offer(
        parent, team=shoe, message="孩子上课时我可以来帮忙", source=Source.APPLY
    )
    services.submit_volunteer_offer(parent, message="周末有空", source=Source.PARENT_OFFER)

    year = localdate().year
    result = services.generate_service_days(year, by=coordinator)
    result_next = services.generate_service_days(year + 1, by=coordinator)
    attended = _seed_signups(leader, coordinator, [volunteer, *helpers])
    return [
        f"volunteers: {len(teams)} teams, {result['days'] + result_next['days']} new service "
        f"days, {result['posts'] + result_next['posts']} new posts, {attended} new attendances",
    ]


def _seed_signups(leader, coordinator, people) -> int:
    """Past posts get sign-ups, attendance and confirmed hours; coming ones get sign-ups.

    Each day's posts take people from a rotating pool, so nobody is booked twice at once.
    """
    current = now()
    attended = 0
    posts = (
        Post.objects.filter(
            service_day__date__year__in=[current.year, current.year + 1],
            start__lt=current + timedelta(days=45),
        )
        .select_related("team", "service_day")
        .order_by("service_day__date", "team__sort_order", "start")
    )
    # a day that already has sign-ups was seeded by an earlier run: leave it as it is
    seeded_days = set(
        Signup.objects.filter(post__service_day__isnull=False).values_list(
            "post__service_day", flat=True
        )
    )
    offset = 0
    for n, post in enumerate(posts):
        if post.service_day_id in seeded_days:
            continue
        take = min(post.capacity - (1 if post.start > current else 0), len(people))
        chosen = [people[(offset + k) % len(people)] for k in range(take)]
        offset += take
        sign_at = min(post.start - timedelta(days=3), current)
        for user in chosen:
            try:
                services.sign_up(post, user, at=sign_at)
            except services.SignupError:
                continue
        if post.end > current:
            continue
        confirmer = leader if post.team and post.team.leader_id == leader.pk else coordinator
        for k, signup in enumerate(post.signups.filter(status=Signup.Status.CONFIRMED)):
            if k == 2 and n % 5 == 0:
                services.mark_no_show(signup, by=confirmer, at=post.end)
                continue
            services.check_in(signup, by=confirmer, at=post.start + timedelta(minutes=3))
            if k % 4 != 3:
                services.check_out(signup, by=signup.volunteer, at=post.end - timedelta(minutes=5))
            services.confirm_hours(signup, by=confirmer, at=post.end + timedelta(minutes=10))
            attended += 1
        services.record_outcome(
            post,
            residents_served=12 + n % 9,
            items_repaired=(6 + n % 7) if "修" in post.title or "补" in post.title else 0,
            meals_delivered=(20 + n % 5) if "餐" in post.title else 0,
            note="",
        )
    # a teamless post for the love meals on the 8th (the canteen's demo adds one per delivery)
    day = localdate().replace(day=8)
    if day < localdate():
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=8)
    start = make_aware(datetime.combine(day, time(11)))
    if not Post.objects.filter(source=Source.DEMO, start=start).exists():
        services.create_post(
            title="8号爱心餐配送",
            place="睦邻食堂",
            start=start,
            end=start + timedelta(hours=1),
            capacity=6,
            source=Source.DEMO,
        )
    return attended
