"""The large, realistic data set for the benchmark: a big community with five years of history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python -m bench.dataset --scale 1.0 --seed 2026 [--wipe]

Reproducible: every choice comes from `random.Random(seed)` and every date from the base day: the
day it is generated (today in Asia/Shanghai), so the coming posts, classes and meals are coming on
the day the bench runs; `--base-day 2026-11-01` reproduces an earlier data set exactly.
Rows are written with `bulk_create` in batches, keeping the invariants the modules' services keep
(a household and a SELF member per account, capacities and seats, statuses, the hours ledger,
price and subsidy copied onto meals, one subsidised meal per person, slot and day, four eyes on
the fund). Writes the handles the harness
needs to `bench/results/dataset.json`. See bench/README.md, section "Data set".
"""

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

BASE_DATE = date(2026, 11, 1)
PASSWORD = "bench-pass-2026"
BATCH = 5000
RESULTS = Path(__file__).parent / "results"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍"
    "红梅建国志文辉斌宇浩凯健俊帆鹏晨欣怡雪琳佳慧婷倩颖涵轩然诺桐"
)

TEAMS = [
    (
        "红星党员先锋队",
        "party-vanguard",
        False,
        ["社区巡查", "政策宣传", "党群服务站值班", "困难户走访"],
    ),
    (
        "邻里守望队",
        "neighbourhood-watch",
        True,
        ["楼道安全检查", "小区南门值守", "夜间巡逻", "电动车充电巡查"],
    ),
    (
        "银发互助队",
        "silver-helpers",
        True,
        ["独居老人探访", "陪同就医", "健康讲座协助", "智能手机教学"],
    ),
    ("助餐送餐队", "meal-delivery", True, ["长者食堂帮厨", "送餐上门", "食堂秩序引导", "餐具清洗"]),
    (
        "环境美化队",
        "green-streets",
        True,
        ["垃圾分类指导", "绿化带清理", "楼道小广告清除", "公园路捡拾"],
    ),
    ("便民维修队", "repair-cafe", False, ["家电维修", "磨刀修伞", "自行车修理", "衣物缝补"]),
    ("青少年服务队", "youth-corner", True, ["四点半课堂", "儿童之家陪读", "亲子阅读", "作业辅导"]),
    ("文体活动队", "culture-sports", True, ["广场舞领跳", "书法角", "棋牌室值守", "合唱排练"]),
]
POST_TIMES = [((8, 30), (11, 30)), ((9, 0), (11, 0)), ((14, 0), (16, 30)), ((15, 0), (17, 0))]
PLACES = ["社区服务中心", "1号楼广场", "党群服务站", "长者食堂", "儿童之家", "小区南门", "中心花园"]
TRACKS = [
    ("睦邻歌", "唱响邻里"),
    ("睦邻乐", "欢乐一家亲"),
    ("睦邻艺", "巧手绘社区"),
    ("睦邻食", "百家宴"),
    ("睦邻行", "健步公园路"),
]
SUBJECTS = [
    ("lego", "乐高搭建"),
    ("english", "趣味英语"),
    ("painting", "儿童绘画"),
    ("calligraphy", "硬笔书法"),
    ("music", "小小合唱团"),
    ("dance", "少儿舞蹈"),
    ("chess", "围棋入门"),
    ("science", "科学小实验"),
    ("reading", "绘本阅读"),
    ("crafts", "手工剪纸"),
    ("sports", "小篮球"),
]
# Ten weekly slots that never overlap: courses of one term never clash with each other.
COURSE_SLOTS = [
    (5, (9, 0), (10, 30)),
    (5, (10, 45), (12, 15)),
    (5, (14, 0), (15, 30)),
    (5, (15, 45), (17, 15)),
    (6, (9, 0), (10, 30)),
    (6, (10, 45), (12, 15)),
    (6, (14, 0), (15, 30)),
    (6, (15, 45), (17, 15)),
    (2, (18, 30), (20, 0)),
    (4, (18, 30), (20, 0)),
]
DISHES = [
    ("红烧肉", "meat"),
    ("清蒸鲈鱼", "meat"),
    ("宫保鸡丁", "mixed"),
    ("番茄炒蛋", "mixed"),
    ("麻婆豆腐", "mixed"),
    ("清炒时蔬", "vegetable"),
    ("蒜蓉西兰花", "vegetable"),
    ("土豆烧牛肉", "meat"),
    ("肉末茄子", "mixed"),
    ("醋溜白菜", "vegetable"),
    ("香菇青菜", "vegetable"),
    ("糖醋排骨", "meat"),
    ("冬瓜排骨汤", "soup"),
    ("紫菜蛋花汤", "soup"),
    ("米饭", "staple"),
    ("杂粮馒头", "staple"),
    ("小米粥", "staple"),
    ("清蒸南瓜", "vegetable"),
    ("木耳炒蛋", "mixed"),
    ("红烧豆腐", "vegetable"),
]


def log(msg: str) -> None:
    print(msg, flush=True)


class Part:
    """Prints a part's start, and its time and row counts at the end."""

    timings: dict = {}

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        log(f"… {self.name}")
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self.t0
        Part.timings[self.name] = round(elapsed, 1)
        if exc[0] is None:
            log(f"  {self.name}: {elapsed:.1f} s")


def bulk(model, objs: list) -> list:
    """bulk_create in batches; returns the objects with their primary keys."""
    return model.objects.bulk_create(objs, batch_size=BATCH)


class Generator:
    def __init__(self, scale: float, seed: int, base: date, meals: int | None = None):
        self.meals = meals  # the canteen's meal records in all (None: 300,000 × scale)
        self.scale = scale
        self.rng = random.Random(seed)
        self.seed = seed
        self.base = base
        self.tz = ZoneInfo("Asia/Shanghai")
        self.handles: dict = {}

    # ---------------------------------------------------------------- helpers

    def n(self, full: int, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))

    def at(self, day: date, hm=(9, 0)) -> datetime:
        return datetime.combine(day, dtime(*hm), tzinfo=self.tz)

    def name(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def token(self, bits=192) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def born(self, age_min: int, age_max: int) -> date:
        """A birth date giving an age in [age_min, age_max] on the base day."""
        base = (
            self.base if (self.base.month, self.base.day) != (2, 29) else self.base.replace(day=28)
        )
        latest = base.replace(year=base.year - age_min)
        earliest = base.replace(year=base.year - age_max - 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    @staticmethod
    def age(born: date, day: date) -> int:
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def months(self, count: int, last: date) -> list[date]:
        """`count` first-of-month dates ending with the month of `last`."""
        y, m = last.year, last.month
        out = []
        for _ in range(count):
            out.append(date(y, m, 1))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        return out[::-1]

    # ---------------------------------------------------------------- people

    def people(self):
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from portal import roles
        from portal.models import Household, HouseholdMember, User

        r = self.rng
        n_users = self.n(20000, 60)
        n_households = self.n(6000, 20)
        n_children = self.n(3000, 10)
        n_burst = self.n(1000, 10)
        # One hash for everybody (the harness logs in); a fixed salt keeps the rows reproducible.
        password = make_password(PASSWORD, salt=f"bench{self.seed}")
        groups = {g.name: g.pk for g in Group.objects.all()}
        missing = [role for role in roles.ALL_ROLES if role not in groups]
        if missing:
            roles.sync_role_permissions()
            groups = {g.name: g.pk for g in Group.objects.all()}

        # Addresses: 40 buildings, 4 units, 18 floors, 4 rooms a floor.
        addresses = set()
        while len(addresses) < n_households:
            addresses.add(
                (
                    str(r.randint(1, 40)),
                    str(r.randint(1, 4)),
                    f"{r.randint(1, 18)}{r.randint(1, 4):02d}",
                )
            )
        addresses = sorted(addresses, key=lambda a: (int(a[0]), int(a[1]), int(a[2])))
        r.shuffle(addresses)
        households = bulk(
            Household,
            [
                Household(
                    building=b,
                    unit=u,
                    room=rm,
                    created_at=self.at(self.base) - timedelta(days=r.randrange(1800)),
                )
                for b, u, rm in addresses
            ],
        )
        # The first n_burst households hold one burst parent each; the others share the rest.
        staff_roles = [
            ("admin", None),
            ("coordinator", roles.VOLUNTEER_COORDINATOR),
            ("events_staff", roles.EVENTS_STAFF),
            ("canteen_staff", roles.CANTEEN_STAFF),
            ("classes_staff", roles.CLASSES_STAFF),
            ("community_admin", roles.COMMUNITY_ADMIN),
        ]
        plan = []  # (household index, kind)
        for i in range(n_burst):
            plan.append((i, "burst"))
        rest = list(range(n_burst, n_households))
        n_rest = n_users - n_burst - len(staff_roles)
        for i in range(n_rest):
            plan.append((rest[i] if i < len(rest) else r.choice(rest), "resident"))
        for key, _role in staff_roles:
            plan.append((r.choice(rest), key))

        users = []
        self.user_info = []  # (user index) -> dict
        for idx, (h, kind) in enumerate(plan):
            hh = households[h]
            if kind == "burst":
                born = self.born(30, 42)
            elif kind == "resident":
                born = self.born(60, 92) if r.random() < 0.26 else self.born(18, 59)
            else:
                born = self.born(28, 50)
            mobile = f"{13800100000 + idx}"
            joined = self.at(self.base) - timedelta(
                days=r.randrange(1800), minutes=r.randrange(900)
            )
            elder = self.age(born, self.base) >= 60
            users.append(
                User(
                    username=f"u{mobile}",
                    password=password,
                    mobile=mobile,
                    real_name=self.name(),
                    birth_date=born,
                    building=hh.building,
                    unit=hh.unit,
                    room=hh.room,
                    household_id=hh.pk,
                    privacy_consented_at=joined,
                    date_joined=joined,
                    large_text=elder and r.random() < 0.3,
                    is_staff=kind not in ("burst", "resident"),
                    is_superuser=kind == "admin",
                )
            )
            self.user_info.append({"kind": kind, "born": born, "household": hh.pk})
        users = bulk(User, users)
        self.users = users
        members = bulk(
            HouseholdMember,
            [
                HouseholdMember(
                    household_id=u.household_id,
                    user_id=u.pk,
                    relation=HouseholdMember.Relation.SELF,
                    created_at=u.date_joined,
                )
                for u in users
            ],
        )
        self.self_member = {m.user_id: m for m in members}
        self.hh_users = defaultdict(list)
        for u in users:
            self.hh_users[u.household_id].append(u)

        # Children: one for each burst parent, the rest in households with a parent aged 25-50.
        parent_households = [
            hh.pk
            for hh in households[n_burst:]
            if any(25 <= self.age(u.birth_date, self.base) <= 50 for u in self.hh_users[hh.pk])
        ]
        children = []
        for i in range(n_burst):
            hh = households[i]
            children.append((hh.pk, self.born(6, 11)))
        for _ in range(max(0, n_children - n_burst)):
            children.append((r.choice(parent_households), self.born(5, 12)))
        child_rows = bulk(
            HouseholdMember,
            [
                HouseholdMember(
                    household_id=h,
                    name=r.choice(SURNAMES) + "小" + r.choice(GIVEN),
                    birth_date=born,
                    relation=HouseholdMember.Relation.CHILD,
                    created_at=self.at(self.base) - timedelta(days=r.randrange(700)),
                )
                for h, born in children
            ],
        )
        self.children = child_rows
        self.hh_children = defaultdict(list)
        for c in child_rows:
            self.hh_children[c.household_id].append(c)
        # A few grandparents without accounts, for the canteen's "my household" bookings.
        bulk(
            HouseholdMember,
            [
                HouseholdMember(
                    household_id=r.choice(parent_households),
                    name=self.name(),
                    birth_date=self.born(70, 90),
                    relation=HouseholdMember.Relation.GRANDPARENT,
                )
                for _ in range(self.n(500))
            ],
        )

        # Roles: everybody is a resident; staff get their group.
        through = User.groups.through
        rows = [through(user_id=u.pk, group_id=groups[roles.RESIDENT]) for u in users]
        self.staff = {}
        for u, info in zip(users, self.user_info, strict=True):
            role = dict(staff_roles).get(info["kind"])
            if info["kind"] in dict(staff_roles):
                self.staff[info["kind"]] = u
            if role:
                rows.append(through(user_id=u.pk, group_id=groups[role]))
        bulk(through, rows)
        self.groups = groups
        self.burst_users = [
            u for u, i in zip(users, self.user_info, strict=True) if i["kind"] == "burst"
        ]
        self.residents = [
            u for u, i in zip(users, self.user_info, strict=True) if i["kind"] == "resident"
        ]
        self.elders = [u for u in self.residents if self.age(u.birth_date, self.base) >= 60]
        return {
            "households": len(households),
            "users": len(users),
            "children": len(child_rows),
        }

    # ---------------------------------------------------------------- volunteers

    def volunteers(self):
        from portal import roles
        from portal.models import User
        from volunteers import lib
        from volunteers.models import (
            HoursEntry,
            Membership,
            Post,
            PostTemplate,
            ServiceDay,
            Signup,
            Source,
            Team,
            VolunteerProfile,
            VolunteerSettings,
        )

        r = self.rng
        rules = VolunteerSettings.current()
        day_of_month = self._community().service_day_of_month
        adults = [u for u in self.residents if 18 <= self.age(u.birth_date, self.base) <= 75]
        vols = r.sample(adults, min(len(adults), self.n(1500, 20)))
        leaders = vols[: len(TEAMS)]
        teams = bulk(
            Team,
            [
                Team(
                    name=name,
                    slug=slug,
                    description=f"{name}：{'、'.join(titles)}。",
                    leader_id=leaders[i].pk,
                    is_open=is_open,
                    founded_on=date(2019, 3, 5) + timedelta(days=40 * i),
                    sort_order=i,
                )
                for i, (name, slug, is_open, titles) in enumerate(TEAMS)
            ],
        )
        coordinator = self.staff["coordinator"]
        # Memberships: leaders in their team; everyone else in one or two teams.
        member_of = defaultdict(list)  # team pk -> users
        rows = []
        for i, u in enumerate(vols):
            own = [teams[i]] if i < len(teams) else r.sample(teams, 2 if r.random() < 0.3 else 1)
            for t in own:
                member_of[t.pk].append(u)
                joined = self.at(self.base) - timedelta(days=r.randrange(400, 1900))
                rows.append(
                    Membership(
                        team_id=t.pk,
                        user_id=u.pk,
                        status=Membership.Status.APPROVED,
                        decided_by_id=coordinator.pk,
                        decided_at=joined + timedelta(days=2),
                        created_at=joined,
                    )
                )
        vol_set = {u.pk for u in vols}
        others = [u for u in self.residents if u.pk not in vol_set][: self.n(100, 4)]
        for i, u in enumerate(others):
            status = Membership.Status.PENDING if i % 2 else Membership.Status.DECLINED
            rows.append(
                Membership(
                    team_id=teams[i % len(teams)].pk,
                    user_id=u.pk,
                    status=status,
                    message="我想为邻居们出一份力。",
                    created_at=self.at(self.base) - timedelta(days=r.randrange(1, 60)),
                )
            )
        memberships = bulk(Membership, rows)
        vol_ids = {u.pk for u in vols} | {u.pk for u in self.burst_users}
        bulk(
            VolunteerProfile,
            [
                VolunteerProfile(
                    user_id=pk,
                    number=f"PR{pk:06d}",
                    calendar_token=self.token(),
                    show_name_publicly=r.random() < 0.4,
                    created_at=self.at(self.base) - timedelta(days=r.randrange(1, 1900)),
                )
                for pk in sorted(vol_ids)
            ],
        )
        through = User.groups.through
        grows = [
            through(user_id=pk, group_id=self.groups[roles.VOLUNTEER]) for pk in sorted(vol_ids)
        ]
        grows += [through(user_id=u.pk, group_id=self.groups[roles.TEAM_LEADER]) for u in leaders]
        bulk(through, grows)
        User.objects.filter(pk__in=[u.pk for u in leaders]).update(is_staff=True)

        templates = bulk(
            PostTemplate,
            [
                PostTemplate(
                    team_id=t.pk,
                    title=title,
                    place=PLACES[(i + j) % len(PLACES)],
                    start_time=dtime(*POST_TIMES[j][0]),
                    end_time=dtime(*POST_TIMES[j][1]),
                    capacity=6 + (i * 3 + j * 5) % 9,
                    skills="耐心,细心" if j % 2 else "",
                    description=f"{t.name}的{title}岗位。",
                )
                for i, (t, (_n, _s, _o, titles)) in enumerate(zip(teams, TEAMS, strict=True))
                for j, title in enumerate(titles)
            ],
        )
        # 60 monthly service days: five years up to the month after the base day.
        after = date(self.base.year + (self.base.month == 12), self.base.month % 12 + 1, 1)
        months = self.months(60, after)
        days = bulk(
            ServiceDay,
            [
                ServiceDay(
                    date=m.replace(day=day_of_month), title=f"{m.year}年{m.month}月红星服务日"
                )
                for m in months
            ],
        )
        team_by_pk = {t.pk: t for t in teams}
        posts = bulk(
            Post,
            [
                Post(
                    service_day_id=d.pk,
                    team_id=tp.team_id,
                    template_id=tp.pk,
                    title=tp.title,
                    place=tp.place,
                    start=self.at(d.date, (tp.start_time.hour, tp.start_time.minute)),
                    end=self.at(d.date, (tp.end_time.hour, tp.end_time.minute)),
                    capacity=tp.capacity,
                    skills=tp.skills,
                    description=tp.description,
                    source=Source.GENERATED,
                    checkin_key=self.token(),
                    created_by_id=coordinator.pk,
                    created_at=self.at(d.date) - timedelta(days=45),
                )
                for d in days
                for tp in templates
            ],
        )
        now = self.at(self.base, (8, 0))
        signups, seen_day = [], defaultdict(set)
        for p in posts:
            past = p.end <= now
            fill = r.uniform(0.75, 1.0) if past else r.uniform(0.3, 0.95)
            pool = [u for u in member_of[p.team_id] if u.pk not in seen_day[p.service_day_id]]
            k = min(len(pool), max(1, round(p.capacity * fill)))
            chosen = r.sample(pool, k)
            waiting = []
            if not past and k == p.capacity:
                rest = [u for u in pool if u not in chosen]
                waiting = r.sample(rest, min(len(rest), r.randint(0, 3)))
            cancelled = [u for u in pool if u not in chosen and u not in waiting][
                : r.choice([0, 0, 1])
            ]
            opened = p.start - timedelta(days=rules.signup_opens_days)
            for seat, u in enumerate(chosen, start=1):
                seen_day[p.service_day_id].add(u.pk)
                created = opened + timedelta(minutes=r.randrange(60 * 24 * 40))
                s = Signup(
                    post_id=p.pk,
                    volunteer_id=u.pk,
                    status=Signup.Status.CONFIRMED,
                    seat=seat,
                    created_at=created,
                )
                if past:
                    leader = team_by_pk[p.team_id].leader_id
                    confirmer = leader if leader != u.pk else coordinator.pk
                    if r.random() < 0.05:
                        s.attendance = Signup.Attendance.NO_SHOW
                        s.attendance_marked_by_id = confirmer
                        s.attendance_marked_at = p.start + timedelta(minutes=30)
                    else:
                        s.attendance = Signup.Attendance.ATTENDED
                        s.checked_in_at = p.start - timedelta(minutes=r.randrange(0, 15))
                        s.checked_in_by_id = confirmer
                        if r.random() < 0.8:
                            s.checked_out_at = p.end + timedelta(minutes=r.randrange(0, 20))
                            s.checked_out_by_id = confirmer
                        s.hours_confirmed_by_id = confirmer
                        s.hours_confirmed_at = p.end + timedelta(hours=2)
                signups.append(s)
            for u in waiting:
                seen_day[p.service_day_id].add(u.pk)
                signups.append(
                    Signup(
                        post_id=p.pk,
                        volunteer_id=u.pk,
                        status=Signup.Status.WAITLISTED,
                        created_at=opened + timedelta(days=41, minutes=r.randrange(600)),
                    )
                )
            for u in cancelled:
                created = opened + timedelta(days=r.randrange(1, 20))
                # the volunteer called it off themselves, a day later (no random draw: the
                # data set stays the same row for row as before these columns)
                signups.append(
                    Signup(
                        post_id=p.pk,
                        volunteer_id=u.pk,
                        status=Signup.Status.CANCELLED,
                        created_at=created,
                        cancelled_at=created + timedelta(days=1),
                        cancelled_by_id=u.pk,
                    )
                )
        signups = bulk(Signup, signups)
        post_by_pk = {p.pk: p for p in posts}
        from django.utils import translation
        from django.utils.translation import gettext

        with translation.override("zh-hans"):
            with_out = gettext("Checked in %(start)s, out %(end)s.")
            without_out = gettext("No check-out; scheduled time confirmed by the leader.")
        entries = []
        for s in signups:
            if not s.hours_confirmed_at:
                continue
            p = post_by_pk[s.post_id]
            hours = lib.round_hours(
                p.end - p.start,
                zero_below=rules.round_zero_below_minutes,
                half_below=rules.round_half_below_minutes,
            )
            if s.checked_out_at:
                reason = with_out % {
                    "start": s.checked_in_at.astimezone(self.tz).strftime("%H:%M"),
                    "end": s.checked_out_at.astimezone(self.tz).strftime("%H:%M"),
                }
            else:
                reason = without_out
            entries.append(
                HoursEntry(
                    volunteer_id=s.volunteer_id,
                    signup_id=s.pk,
                    post_id=p.pk,
                    team_id=p.team_id,
                    served_on=p.start.astimezone(self.tz).date(),
                    hours=hours,
                    kind=HoursEntry.Kind.CREDIT,
                    reason=reason[:200],
                    created_by_id=s.hours_confirmed_by_id,
                    created_at=s.hours_confirmed_at,
                )
            )
        entries = bulk(HoursEntry, entries)

        # The burst post: five places on the last service day, no sign-ups.
        # (the last day: a month after the base day, so sign-up is open on and after the base day)
        burst_day = days[-1]
        open_team = next(t for t in teams if t.is_open)
        burst_post = Post.objects.create(
            service_day=burst_day,
            team=open_team,
            title="冬季暖心包分装",
            place="社区服务中心",
            start=self.at(burst_day.date, (18, 0)),
            end=self.at(burst_day.date, (20, 0)),
            capacity=5,
            description="为辖区困难家庭分装冬季暖心包。",
            source="bench:burst",
            checkin_key=self.token(),
            created_by=coordinator,
        )
        # Handles: a volunteer with hours and an upcoming post, not a leader.
        upcoming_ids = {s.volunteer_id for s in signups if post_by_pk[s.post_id].start > now}
        credited = {e.volunteer_id for e in entries}
        volunteer = next(u for u in vols[len(teams) :] if u.pk in upcoming_ids and u.pk in credited)
        hours_year = max(e.served_on.year for e in entries) if entries else self.base.year
        past_days = [d for d in days if d.date < self.base]
        self.handles.update(
            service_day=burst_day.date.isoformat(),
            past_service_day=past_days[-1].date.isoformat() if past_days else None,
            hours_year=hours_year,
        )
        self.handles.setdefault("personas", {}).update(
            volunteer=self.handle(volunteer),
            leader=self.handle(leaders[0]),
            coordinator=self.handle(coordinator),
        )
        self.handles.setdefault("burst", {})["post"] = {
            "id": burst_post.pk,
            "capacity": 5,
            "start": burst_post.start.isoformat(),
        }
        self.vols = vols
        return {
            "teams": len(teams),
            "volunteers": len(vols),
            "memberships": len(memberships),
            "service_days": len(days),
            "posts": len(posts) + 1,
            "signups": len(signups),
            "hours_entries": len(entries),
        }

    def handle(self, user) -> dict:
        return {"id": user.pk, "mobile": user.mobile, "name": user.real_name}

    def _community(self):
        from portal.models import Community

        return Community.current()

    # ---------------------------------------------------------------- events

    def events(self):
        from events.models import Activity, Booking, Event, Registration, Track

        r = self.rng
        staff = self.staff["events_staff"]
        # Five yearly festivals; the last is upcoming with registration open.
        starts = [date(y, 9, 20) for y in range(self.base.year - 4, self.base.year)]
        starts.append(self.base + timedelta(days=48))
        households = list(self.hh_users)
        registrations_total = bookings_total = activities_total = 0
        codes = set()
        festival = None
        for start in starts:
            ev = Event.objects.create(
                title=f"{start.year}年公园路睦邻文化节",
                kind=Event.Kind.FESTIVAL,
                summary="唱响邻里、欢乐一家亲：一年一度的睦邻文化节。",
                description="文化节设五大主题板块，欢迎全体居民参加。",
                place="公园路社区中心花园",
                starts_on=start,
                ends_on=start + timedelta(days=1),
                is_published=True,
                created_at=self.at(start) - timedelta(days=60),
            )
            festival = ev
            tracks = bulk(
                Track,
                [
                    Track(event_id=ev.pk, name=n, theme=t, position=i)
                    for i, (n, t) in enumerate(TRACKS)
                ],
            )
            acts = []
            for ti, tr in enumerate(tracks):
                for k in range(8):
                    day = start + timedelta(days=k % 2)
                    hour = 9 + (k // 2) * 2
                    audience = r.choice(["everyone", "children", "families", "adults", "elders"])
                    reg = k % 2 == 0
                    lo, hi = {"children": (5, 12), "elders": (60, None)}.get(audience, (None, None))
                    acts.append(
                        Activity(
                            event_id=ev.pk,
                            track_id=tr.pk,
                            title=f"{tr.name}·{tr.theme}{k + 1}",
                            description="活动详情请见现场指引。",
                            place=PLACES[(ti + k) % len(PLACES)],
                            starts_at=self.at(day, (hour, 0)),
                            ends_at=self.at(day, (hour + 1, 30)),
                            audience=audience,
                            min_age=lo,
                            max_age=hi,
                            needs_registration=reg,
                            capacity=r.choice([20, 30, 40, 60, 80]) if reg else 0,
                            household_limit=4,
                            registration_opens_at=self.at(start) - timedelta(days=30)
                            if reg
                            else None,
                            registration_closes_at=self.at(start) - timedelta(days=1)
                            if reg
                            else None,
                        )
                    )
            acts = bulk(Activity, acts)
            activities_total += len(acts)
            past = ev.ends_on < self.base
            for a in acts:
                if not a.needs_registration:
                    continue
                wanted = round(a.capacity * (r.uniform(0.8, 1.3) if past else r.uniform(0.3, 0.8)))
                wanted = max(1, round(wanted * min(1.0, self.scale * 10)))
                bookings, people = [], []
                confirmed = 0
                used = set()
                tries = 0
                while sum(len(p) for p in people) < wanted and tries < wanted * 5:
                    tries += 1
                    h = r.choice(households)
                    if h in used:
                        continue
                    cands = [self.self_member[u.pk] for u in self.hh_users[h]] + self.hh_children[h]
                    cands = [
                        m for m in cands if a.age_allows(self.age(self._dob(m), a.starts_at.date()))
                    ]
                    if not cands:
                        continue
                    used.add(h)
                    group = r.sample(cands, min(len(cands), r.randint(1, 3)))
                    booker = self.hh_users[h][0]
                    created = a.registration_opens_at + timedelta(minutes=r.randrange(60 * 24 * 25))
                    bookings.append(
                        Booking(
                            activity_id=a.pk,
                            household_id=h,
                            booked_by_id=booker.pk,
                            created_at=created,
                        )
                    )
                    people.append(group)
                bookings = bulk(Booking, bookings)
                regs = []
                for b, group in zip(bookings, people, strict=True):
                    # A household's people are confirmed together or wait together.
                    ok = confirmed + len(group) <= a.capacity
                    if ok:
                        confirmed += len(group)
                    for m in group:
                        code = self._ticket_code(codes)
                        checked = past and ok and r.random() < 0.85
                        regs.append(
                            Registration(
                                booking_id=b.pk,
                                activity_id=a.pk,
                                member_id=m.pk,
                                status=Registration.Status.CONFIRMED
                                if ok
                                else Registration.Status.WAITING,
                                ticket_token=self.token(128),
                                ticket_code=code,
                                created_at=b.created_at,
                                confirmed_at=b.created_at if ok else None,
                                checked_in_at=a.starts_at + timedelta(minutes=r.randrange(-20, 20))
                                if checked
                                else None,
                                checked_in_by_id=staff.pk if checked else None,
                            )
                        )
                bulk(Registration, regs)
                bookings_total += len(bookings)
                registrations_total += len(regs)
        self.handles["festival"] = {"id": festival.pk, "starts_on": festival.starts_on.isoformat()}
        self.handles.setdefault("personas", {})["events_staff"] = self.handle(staff)
        return {
            "festivals": len(starts),
            "activities": activities_total,
            "event_bookings": bookings_total,
            "registrations": registrations_total,
        }

    def _dob(self, member):
        if member.user_id:
            return next(
                u.birth_date for u in self.hh_users[member.household_id] if u.pk == member.user_id
            )
        return member.birth_date

    def _ticket_code(self, codes: set) -> str:
        alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
        while True:
            code = "".join(self.rng.choice(alphabet) for _ in range(8))
            if code not in codes:
                codes.add(code)
                return code

    # ---------------------------------------------------------------- classes

    def classes(self):
        from classes.models import (
            Attendance,
            ClassSession,
            Course,
            Enrolment,
            Teacher,
            Term,
            TimetableSlot,
            hours_between,
        )

        r = self.rng
        staff = self.staff["classes_staff"]
        from portal.models import Partner

        insts = bulk(
            Partner,
            [
                Partner(
                    name=n,
                    kind=Partner.Kind.EDUCATION,
                    contact_name=self.name(),
                    contact_phone=f"028-8888{i:04d}",
                )
                for i, n in enumerate(["启航教育", "小画家美术", "乐之声音乐", "棋趣围棋"])
            ],
        )
        teachers = bulk(
            Teacher, [Teacher(name=self.name(), institution_id=insts[i % 4].pk) for i in range(12)]
        )
        y0 = self.base.year - 4
        terms = []
        for y in range(y0, self.base.year + 1):
            terms.append(Term(name=f"{y}年春季", starts_on=date(y, 3, 1), ends_on=date(y, 6, 30)))
            terms.append(Term(name=f"{y}年秋季", starts_on=date(y, 9, 1), ends_on=date(y, 12, 31)))
        terms = bulk(Term, terms)
        per_term = self.n(10, 2)
        courses, slot_of = [], {}
        for t in terms:
            for k in range(per_term):
                subj, title = SUBJECTS[(k + t.pk) % len(SUBJECTS)]
                age_min = r.randint(5, 9)
                c = Course(
                    term_id=t.pk,
                    title=title,
                    subject=subj,
                    institution_id=insts[k % 4].pk,
                    teacher_id=teachers[k % 12].pk,
                    description=f"{title}，适合{age_min}岁以上的孩子。",
                    age_min=age_min,
                    age_max=min(12, age_min + r.randint(2, 4)),
                    place=r.choice(["儿童之家", "社区活动室", "党群服务站二楼"]),
                    capacity=r.choice([12, 15, 18, 20, 25]),
                    enrol_opens_at=self.at(t.starts_on - timedelta(days=30)),
                    enrol_closes_at=self.at(t.starts_on - timedelta(days=3)),
                    mode=Course.Mode.FCFS,
                    needs_photo_consent=True,
                    is_published=True,
                )
                courses.append(c)
                slot_of[id(c)] = COURSE_SLOTS[k % len(COURSE_SLOTS)]
        # The burst course: a new term after the base day, 20 places, enrolment open.
        burst_term = Term.objects.create(
            name=f"{self.base.year + 1}年春季",
            starts_on=date(self.base.year + 1, 3, 1),
            ends_on=date(self.base.year + 1, 6, 30),
        )
        burst = Course(
            term_id=burst_term.pk,
            title="春季乐高机器人",
            subject="lego",
            institution_id=insts[0].pk,
            teacher_id=teachers[0].pk,
            description="20个名额，先到先得。",
            age_min=5,
            age_max=12,
            place="儿童之家",
            capacity=20,
            enrol_opens_at=self.at(self.base - timedelta(days=1)),
            enrol_closes_at=self.at(burst_term.starts_on - timedelta(days=1)),
            mode=Course.Mode.FCFS,
            needs_photo_consent=False,
            is_published=True,
        )
        courses.append(burst)
        slot_of[id(burst)] = COURSE_SLOTS[0]
        slots = [slot_of[id(c)] for c in courses]
        courses = bulk(Course, courses)
        bulk(
            TimetableSlot,
            [
                TimetableSlot(course_id=c.pk, weekday=wd, starts_at=dtime(*s), ends_at=dtime(*e))
                for c, (wd, s, e) in zip(courses, slots, strict=True)
            ],
        )
        term_by_pk = {t.pk: t for t in terms}
        term_by_pk[burst_term.pk] = burst_term
        sessions = []
        for c, (wd, s, e) in zip(courses, slots, strict=True):
            t = term_by_pk[c.term_id]
            day = t.starts_on + timedelta(days=(wd - t.starts_on.weekday()) % 7)
            while day <= t.ends_on:
                held = day < self.base
                sessions.append(
                    ClassSession(
                        course_id=c.pk,
                        date=day,
                        starts_at=dtime(*s),
                        ends_at=dtime(*e),
                        place=c.place,
                        hours=hours_between(dtime(*s), dtime(*e)),
                        status=ClassSession.Status.HELD if held else ClassSession.Status.SCHEDULED,
                        register_taken_at=self.at(day, e) if held else None,
                    )
                )
                day += timedelta(days=7)
        sessions = bulk(ClassSession, sessions)
        by_course = defaultdict(list)
        for s in sessions:
            by_course[s.course_id].append(s)

        # Enrolments: children of the right age (on the term's first day), in their parents' name.
        burst_households = {u.household_id for u in self.burst_users}
        kids = [c for c in self.children if c.household_id not in burst_households]
        enrolments = []
        for c in courses:
            if c.pk == courses[-1].pk:
                continue  # the burst course stays empty
            t = term_by_pk[c.term_id]
            eligible = [
                k for k in kids if c.age_min <= self.age(k.birth_date, t.starts_on) <= c.age_max
            ]
            want = min(len(eligible), round(c.capacity * r.uniform(0.7, 1.3)))
            placed = 0
            for k in r.sample(eligible, want):
                moment = c.enrol_opens_at + timedelta(minutes=r.randrange(60 * 24 * 20))
                parent = self.hh_users[k.household_id][0]
                if placed < c.capacity:
                    placed += 1
                    status, queued, placed_at = Enrolment.Status.ENROLLED, None, moment
                    if r.random() < 0.04:
                        status = Enrolment.Status.WITHDRAWN
                else:
                    status, queued, placed_at = Enrolment.Status.WAITLISTED, moment, None
                enrolments.append(
                    Enrolment(
                        course_id=c.pk,
                        child_id=k.pk,
                        enrolled_by_id=parent.pk,
                        status=status,
                        photo_consent=r.random() < 0.8,
                        pickup_people="爸爸、妈妈、爷爷",
                        fee=Decimal("0.00"),
                        created_at=moment,
                        queued_at=queued,
                        placed_at=placed_at,
                        withdrawn_at=moment + timedelta(days=5) if status == "withdrawn" else None,
                    )
                )
        enrolments = bulk(Enrolment, enrolments)
        marks = ["present"] * 17 + ["late", "excused", "absent"]
        attendance = []
        for en in enrolments:
            if en.status != Enrolment.Status.ENROLLED:
                continue
            for s in by_course[en.course_id]:
                if s.status == ClassSession.Status.HELD:
                    attendance.append(
                        Attendance(
                            session_id=s.pk,
                            enrolment_id=en.pk,
                            mark=r.choice(marks),
                            marked_by_id=staff.pk,
                            marked_at=s.register_taken_at,
                        )
                    )
        attendance = bulk(Attendance, attendance)

        # The parent handle: a parent whose child has a place in the current term.
        current = [t for t in terms if t.starts_on <= self.base <= t.ends_on] or terms[-1:]
        current_courses = {c.pk for c in courses if c.term_id == current[0].pk}
        en = next(
            e for e in enrolments if e.course_id in current_courses and e.status == "enrolled"
        )
        parent = next(u for u in self.users if u.pk == en.enrolled_by_id)
        self.handles.setdefault("personas", {}).update(
            parent=self.handle(parent), classes_staff=self.handle(staff)
        )
        self.handles["current_term"] = {"id": current[0].pk, "name": current[0].name}
        self.handles["course"] = {"id": sorted(current_courses)[0]}
        self.handles.setdefault("burst", {})["course"] = {"id": courses[-1].pk, "capacity": 20}
        self.handles["burst"]["users"] = [
            {
                "id": u.pk,
                "mobile": u.mobile,
                "child_id": self.hh_children[u.household_id][0].pk,
            }
            for u in self.burst_users
        ]
        return {
            "terms": len(terms) + 1,
            "courses": len(courses),
            "sessions": len(sessions),
            "enrolments": len(enrolments),
            "attendance": len(attendance),
        }

    def fund(self):
        from fund.models import FundEntry

        r = self.rng
        proposer, approver = self.staff["classes_staff"], self.staff["community_admin"]
        start = self.base - timedelta(days=5 * 365)
        rows = []
        for _ in range(self.n(5000, 20)):
            day = start + timedelta(days=r.randrange(5 * 365))
            if r.random() < 0.62:
                cat = r.choice(["classroom", "donation", "partner"])
                public = cat == "donation" and r.random() < 0.5
                rows.append(
                    FundEntry(
                        kind="income",
                        category=cat,
                        date=day,
                        amount=Decimal(r.randrange(5000, 200000)) / 100,
                        description={
                            "classroom": "课程收益分成",
                            "donation": "爱心捐赠",
                            "partner": "合作机构资助",
                        }[cat],
                        donor_name=self.name() if cat == "donation" else "",
                        donor_is_public=public,
                        status="posted",
                        proposed_by_id=proposer.pk,
                        created_at=self.at(day, (10, 0)),
                    )
                )
            else:
                status = r.choices(["paid", "approved", "proposed", "rejected"], [85, 5, 5, 5])[0]
                decided = status in ("paid", "approved")
                rows.append(
                    FundEntry(
                        kind="expenditure",
                        category=r.choice(["project", "supplies", "other"]),
                        date=day,
                        amount=Decimal(r.randrange(2000, 80000)) / 100,
                        description=r.choice(
                            ["手工材料采购", "绘本添置", "公益项目支出", "活动物资"]
                        ),
                        status=status,
                        proposed_by_id=proposer.pk,
                        approved_by_id=approver.pk if decided else None,
                        approved_at=self.at(day, (15, 0)) if decided else None,
                        paid_at=self.at(day + timedelta(days=2), (10, 0))
                        if status == "paid"
                        else None,
                        created_at=self.at(day, (9, 0)),
                    )
                )
        bulk(FundEntry, rows)
        return {"fund_entries": len(rows)}

    # ---------------------------------------------------------------- canteen

    def canteen(self):
        from canteen import pricing
        from canteen.models import (
            Booking,
            CanteenSettings,
            ClosedMonth,
            Dish,
            LoveMealDelivery,
            LoveMealRecipient,
            MealRecord,
            MealSlot,
            Menu,
            ResidentCategory,
            SubsidisedSlot,
            SubsidyLine,
            SubsidyRule,
        )

        r = self.rng
        staff = self.staff["canteen_staff"]
        community = self._community()
        slots = list(MealSlot.objects.order_by("order", "id"))
        if not slots:
            slots = [
                MealSlot.objects.create(
                    name="午餐", order=1, serves_at=dtime(11, 30), booking_cutoff=dtime(9, 0)
                ),
                MealSlot.objects.create(
                    name="晚餐", order=2, serves_at=dtime(17, 30), booking_cutoff=dtime(15, 0)
                ),
            ]
        if not SubsidyRule.objects.filter(min_age__isnull=False).exists():
            SubsidyRule.objects.create(
                name="60周岁以上老人就餐补贴",
                valid_from=date(2020, 1, 1),
                min_age=60,
                amount=Decimal("4.00"),
                funder="government",
            )
        SubsidyRule.objects.create(
            name="低保对象助餐补贴",
            valid_from=date(2020, 1, 1),
            category="low_income",
            amount=Decimal("3.00"),
            funder="community",
            stacks=True,
        )
        rules = list(SubsidyRule.objects.all())
        dishes = bulk(
            Dish,
            [
                Dish(name=n, balance=b, is_soft=i % 3 == 0, is_low_salt=i % 2 == 0, description="")
                for i, (n, b) in enumerate(DISHES)
            ],
        )
        eaters = [self.self_member[u.pk] for u in self.elders]
        elder_ids = {u.pk for u in self.elders}
        younger = [u for u in self.residents if u.pk not in elder_ids]
        others = [
            self.self_member[u.pk] for u in r.sample(younger, min(len(younger), len(eaters) // 2))
        ]
        dob = {m.pk: self._dob(m) for m in eaters + others}
        names = {
            m.pk: next(u.real_name for u in self.hh_users[m.household_id] if u.pk == m.user_id)
            for m in eaters + others
        }
        low_income = r.sample(eaters, len(eaters) // 20)
        bulk(
            ResidentCategory,
            [
                ResidentCategory(
                    member_id=m.pk,
                    category="low_income",
                    valid_from=date(2020, 1, 1),
                    note="民政认定",
                )
                for m in low_income
            ],
        )
        low_ids = {m.pk for m in low_income}

        # Menus: every day from five years before the base day to two months after it.
        first = date(self.base.year - 5, self.base.month, 1)
        last = self.base + timedelta(days=60)
        menus = []
        day = first
        while day <= last:
            for sl in slots:
                menus.append(
                    Menu(
                        day=day,
                        slot_id=sl.pk,
                        price=Decimal(r.choice([1200, 1300, 1400, 1500, 1600])) / 100,
                        portion_limit=400,
                        is_published=True,
                        published_at=self.at(day - timedelta(days=7)),
                    )
                )
            day += timedelta(days=1)
        menus = bulk(Menu, menus)
        through = Menu.dishes.through
        bulk(
            through,
            [through(menu_id=m.pk, dish_id=d.pk) for m in menus for d in r.sample(dishes, 4)],
        )
        menu_of = {(m.day, m.slot_id): m for m in menus}

        # Meals: 60 months before the base day; the last one is the big month (~10,000).
        # (the 60 whole months before the base day's month; the last is the big one)
        months = self.months(60, self.base.replace(day=1) - timedelta(days=1))
        big = self.n(10000, 20)
        total = self.n(300000, 100) if self.meals is None else max(self.meals, big + 59)
        per_month = (total - big) // (len(months) - 1)
        quotes = {}
        n_meals = n_lines = n_claims = n_reversals = 0
        t0 = time.perf_counter()
        for mi, month in enumerate(months):
            target = big if mi == len(months) - 1 else per_month
            if mi == 0:
                target += (total - big) - per_month * (len(months) - 1)
            nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
            ndays = (nxt - month).days
            records = []
            for d in range(ndays):
                day = month + timedelta(days=d)
                k = target // ndays + (1 if d < target % ndays else 0)
                pool_e = min(len(eaters), round(k * 0.8))
                people = r.sample(eaters, pool_e) + r.sample(others, min(len(others), k - pool_e))
                for m in people:
                    sl = slots[0] if r.random() < 0.7 else slots[-1]
                    menu = menu_of[(day, sl.pk)]
                    age = self.age(dob[m.pk], day)
                    key = (menu.price, age >= 60, m.pk in low_ids)
                    q = quotes.get(key)
                    if q is None:
                        q = quotes[key] = pricing.quote(
                            menu.price,
                            day=day,
                            birth_date=dob[m.pk],
                            categories={"low_income"} if m.pk in low_ids else set(),
                            rules=rules,
                        )
                    rec = MealRecord(
                        kind="meal",
                        menu_id=menu.pk,
                        day=day,
                        slot_id=sl.pk,
                        month=month,
                        member_id=m.pk,
                        person_name=names[m.pk],
                        age=age,
                        price=q.price,
                        subsidy=q.subsidy,
                        paid=q.to_pay,
                        recorded_by_id=staff.pk,
                        recorded_at=self.at(day, (sl.serves_at.hour, sl.serves_at.minute))
                        + timedelta(seconds=r.randrange(5400)),
                    )
                    rec._quote = q
                    records.append(rec)
            records = bulk(MealRecord, records)
            # About one meal in 500 was a mistake, reversed the same month with a reason (the
            # reversal negates the money and the lines; the subsidised slot is free again).
            reversed_ids = {rec.pk for rec in records if r.random() < 0.002}
            reversals = [
                MealRecord(
                    kind="reversal",
                    menu_id=rec.menu_id,
                    day=rec.day,
                    slot_id=rec.slot_id,
                    month=month,
                    member_id=rec.member_id,
                    person_name=rec.person_name,
                    age=rec.age,
                    price=-rec.price,
                    subsidy=-rec.subsidy,
                    paid=-rec.paid,
                    reverses_id=rec.pk,
                    reason=r.choice(["误录，撤销", "重复登记", "记错人员"]),
                    recorded_by_id=staff.pk,
                    recorded_at=rec.recorded_at + timedelta(minutes=r.randrange(5, 120)),
                )
                for rec in records
                if rec.pk in reversed_ids
            ]
            reversals = bulk(MealRecord, reversals)
            lines, claims = [], []
            for rev in reversals:
                for line in next(x for x in records if x.pk == rev.reverses_id)._quote.lines:
                    lines.append(
                        SubsidyLine(
                            record_id=rev.pk,
                            month=rev.month,
                            rule_id=line.rule.pk,
                            rule_name=line.name,
                            funder=line.funder,
                            amount=-line.amount,
                        )
                    )
            n_reversals += len(reversals)
            for rec in records:
                q = rec._quote
                for line in q.lines:
                    lines.append(
                        SubsidyLine(
                            record_id=rec.pk,
                            month=rec.month,
                            rule_id=line.rule.pk,
                            rule_name=line.name,
                            funder=line.funder,
                            amount=line.amount,
                        )
                    )
                if q.lines and rec.pk not in reversed_ids:
                    claims.append(
                        SubsidisedSlot(
                            member_id=rec.member_id,
                            day=rec.day,
                            slot_id=rec.slot_id,
                            record_id=rec.pk,
                        )
                    )
            bulk(SubsidyLine, lines)
            bulk(SubsidisedSlot, claims)
            n_meals += len(records)
            n_lines += len(lines)
            n_claims += len(claims)
            if mi % 6 == 5 or mi == len(months) - 1:
                log(f"    meals up to {month:%Y-%m}: {n_meals} ({time.perf_counter() - t0:.0f} s)")

        # Months before the last full one are closed (settled), a few days after they end.
        closed = bulk(
            ClosedMonth,
            [
                ClosedMonth(
                    month=m,
                    closed_by_id=staff.pk,
                    closed_at=self.at(date(m.year + (m.month == 12), m.month % 12 + 1, 5)),
                )
                for m in months[:-1]
            ],
        )
        # Love Meal Day: a free meal delivered to each recipient every month, by a volunteer.
        settings_row = CanteenSettings.current()
        recipients = bulk(
            LoveMealRecipient,
            [
                LoveMealRecipient(
                    name=self.name(),
                    kind=r.choice(["empty_nest", "empty_nest", "difficulty"]),
                    building=str(r.randint(1, 40)),
                    unit=str(r.randint(1, 4)),
                    room=f"{r.randint(1, 18)}{r.randint(1, 4):02d}",
                    portions=r.choice([1, 1, 1, 2]),
                )
                for _ in range(self.n(40, 3))
            ],
        )
        deliveries = []
        for m in months + [self.base.replace(day=1)]:
            day = m.replace(day=community.love_meal_day_of_month)
            for rc in recipients:
                done = day < self.base
                deliveries.append(
                    LoveMealDelivery(
                        day=day,
                        recipient_id=rc.pk,
                        portions=rc.portions,
                        value=community.meal_price_min,
                        funder=settings_row.love_meal_funder,
                        volunteer_id=r.choice(self.vols).pk if done else None,
                        delivered_at=self.at(day, (11, 45)) if done else None,
                        created_at=self.at(day - timedelta(days=7)),
                    )
                )
        deliveries = bulk(LoveMealDelivery, deliveries)

        # Bookings for the coming weeks (the counter and "my bookings" have something to show).
        bookings = []
        for m in menus:
            if m.day < self.base or m.slot_id != slots[0].pk:
                continue
            for member in r.sample(eaters, min(len(eaters), self.n(60, 3))):
                bookings.append(
                    Booking(
                        menu_id=m.pk,
                        member_id=member.pk,
                        channel=r.choice(["online", "online", "phone"]),
                        booked_by_id=member.user_id,
                        created_at=self.at(self.base - timedelta(days=1)),
                    )
                )
        bulk(Booking, bookings)
        elder = next(u for u in self.elders if self.self_member[u.pk] in eaters[:50])
        self.handles["canteen"] = {"largest_month": months[-1].isoformat()}
        self.handles.setdefault("personas", {}).update(
            elder=self.handle(elder), canteen_staff=self.handle(staff)
        )
        return {
            "menus": len(menus),
            "meal_records": n_meals,
            "subsidy_lines": n_lines,
            "subsidy_claims": n_claims,
            "meal_reversals": n_reversals,
            "closed_months": len(closed),
            "love_meal_deliveries": len(deliveries),
            "canteen_bookings": len(bookings),
        }


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__.split("\n")[0])
    p.add_argument("--scale", type=float, default=1.0, help="1.0 = 20,000 residents (default)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--wipe", action="store_true", help="flush the database first")
    p.add_argument("--allow-sqlite", action="store_true", help="run on SQLite anyway (slow)")
    p.add_argument(
        "--base-day",
        type=date.fromisoformat,
        default=None,
        help="the day every date is relative to (YYYY-MM-DD; default: today in Asia/Shanghai; "
        f"the data set published before was built with {BASE_DATE})",
    )
    p.add_argument(
        "--meals",
        type=int,
        default=None,
        help="meal records in all (default 300,000 × scale; the largest month keeps its "
        "10,000 × scale, the rest share what is left): a quicker canteen history",
    )
    # Kept for old command lines: today is now the default.
    p.add_argument("--today", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.models import Household, User

    db_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and not args.allow_sqlite:
        log(
            "Refusing to run on SQLite: set DATABASE_URL to a PostgreSQL database "
            "(or pass --allow-sqlite)."
        )
        return 2
    if (User.objects.exists() or Household.objects.exists()) and not args.wipe:
        log(f"Database {db_name} already holds data; use --wipe to flush it first.")
        return 2
    if args.wipe:
        # Also on an empty database: flush resets the id sequences, so ids are reproducible.
        # post_migrate re-creates the roles' groups.
        with Part("flush"):
            call_command("flush", interactive=False, verbosity=0)
    base = args.base_day or timezone.localdate()  # TIME_ZONE is Asia/Shanghai
    log(
        f"Data set: scale {args.scale}, seed {args.seed}, base day {base}, "
        f"meals {args.meals or 'by scale'}, database {db_name}"
    )
    gen = Generator(args.scale, args.seed, base, meals=args.meals)
    counts = {}
    started = time.perf_counter()
    with transaction.atomic():
        for name in ("people", "volunteers", "events", "classes", "fund", "canteen"):
            with Part(name):
                counts.update(getattr(gen, name)())
    from portal.cache import NAMESPACES, changed

    changed(*NAMESPACES)  # written in bulk, without signals: nothing cached before is current
    with Part("analyze"):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    total = time.perf_counter() - started
    vol_ids = {v.pk for v in gen.vols}
    resident = next(
        u
        for u in gen.residents
        if u.pk not in vol_ids
        and gen.age(u.birth_date, base) < 60
        and not gen.hh_children[u.household_id]
    )
    gen.handles.setdefault("personas", {}).update(
        admin=gen.handle(gen.staff["admin"]), resident=gen.handle(resident)
    )
    result = {
        "generated_at": timezone.now().isoformat(),
        "database": connection.settings_dict["NAME"],
        "scale": args.scale,
        "meals": args.meals,
        "seed": args.seed,
        "base_date": base.isoformat(),
        "password": PASSWORD,
        "seconds": round(total, 1),
        "timings": Part.timings,
        "counts": counts,
        **gen.handles,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dataset.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    log("")
    log("Rows:")
    for key, value in counts.items():
        log(f"  {key:<20} {value:>9,}")
    log(f"Done in {total:.0f} s; handles in {RESULTS / 'dataset.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
