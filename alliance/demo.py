"""This module's part of `manage.py seed_demo` (see portal's seed_demo command).

Twelve partner organisations of every kind (the classroom's 星光教育培训学校 among them, whose
contact person is the demo teacher 林老师, so the partners' page can be tried with that log-in),
twenty resources, thirty needs from residents' posts, home visits and questionnaires, twelve
projects (ten pairing needs with partners' resources; six completed with outcomes and ratings)
and home visits to elders living alone. Runs once.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from alliance.models import HomeVisit, Need, Project, ProjectUpdate, Rating, Resource
from portal import roles
from portal.models import Household, Partner, User

TEACHER_MOBILE = "13800000010"  # classes/demo.py's teacher, 林老师

PARTNERS = [
    # (name, kind, about, contact name)
    ("星光教育培训学校", Partner.Kind.EDUCATION, "乐高、科学与数学思维课程", "林老师"),
    ("龙泉街道办事处", Partner.Kind.GOVERNMENT, "街道综合服务", "何主任"),
    ("公园路派出所", Partner.Kind.GOVERNMENT, "社区警务室", "宋警官"),
    ("公园路小学", Partner.Kind.SCHOOL, "辖区公办小学", "唐老师"),
    ("龙泉中学", Partner.Kind.SCHOOL, "辖区公办中学", "许老师"),
    ("龙泉社区卫生服务中心", Partner.Kind.HOSPITAL, "家庭医生签约、义诊", "韩医生"),
    ("红星超市", Partner.Kind.FIRM, "社区便民超市", "冯经理"),
    ("建设银行龙泉支行", Partner.Kind.FIRM, "金融知识进社区", "曹行长"),
    ("龙泉电信营业厅", Partner.Kind.FIRM, "智能手机培训", "彭经理"),
    ("阳光社会工作服务中心", Partner.Kind.SOCIAL, "专业社工服务", "董社工"),
    ("仁爱养老服务中心", Partner.Kind.SOCIAL, "居家养老上门服务", "袁院长"),
    ("公园路业主委员会", Partner.Kind.OTHER, "小区业主自治组织", "邓主任"),
]

RESOURCES = [
    # (partner index, kind, title, quantity, unit, hours, conditions)
    (0, "training", "少儿科学实验课", 2, "次/月", "", "每次不超过20名儿童"),
    (0, "venue", "多功能教室", 30, "座", "周六、周日 9:00–17:00", "提前一周预约"),
    (1, "money", "社区共建资金", 5000, "元", "", "用于经评审的公益项目"),
    (2, "skills", "防诈骗宣讲", 4, "次/年", "", ""),
    (3, "venue", "学校操场（假期开放）", 200, "人", "寒暑假 8:00–11:00", "需家长陪同"),
    (3, "volunteers", "教师志愿者", 10, "人", "", "周末"),
    (4, "volunteers", "中学生志愿服务队", 25, "人", "", "每学期不少于两次"),
    (5, "skills", "家庭医生上门随访", 40, "户", "", "60岁以上独居老人优先"),
    (5, "training", "急救知识培训", 6, "次/年", "", ""),
    (6, "money", "爱心物资捐赠", 3000, "元", "", "以米面油等实物为主"),
    (6, "equipment", "便民小推车", 10, "辆", "", "用后归还"),
    (7, "training", "金融知识讲座", 4, "次/年", "", ""),
    (7, "money", "公益基金", 2000, "元", "", ""),
    (8, "training", "老年人智能手机课", 12, "次/年", "每周三 14:00–16:00", ""),
    (8, "equipment", "旧手机回收再利用", 20, "台", "", ""),
    (9, "skills", "心理疏导与个案服务", 8, "人次/月", "", ""),
    (9, "volunteers", "社工督导", 2, "人", "", ""),
    (10, "skills", "助浴、理发上门服务", 30, "人次/月", "", "收取成本费，困难家庭免费"),
    (10, "venue", "日间照料中心活动室", 40, "座", "每天 8:30–17:30", ""),
    (11, "equipment", "小区公共维修工具", 1, "套", "", "登记借用"),
]

NEEDS = [
    # (source, kind, category, title, public summary, urgency)
    ("resident", "wish", "children", "楼下想要一个儿童读书角", "为儿童建一个读书角", "normal"),
    ("resident", "need", "facilities", "3号楼楼道缺少扶手", "楼道加装扶手", "high"),
    ("resident", "wish", "facilities", "3号楼门口修一个轮椅坡道", "单元门口无障碍坡道", "high"),
    ("resident", "need", "elderly", "希望有人教老人用智能手机", "老年人智能手机教学", "normal"),
    ("resident", "need", "health", "希望社区组织义诊", "社区义诊", "normal"),
    ("resident", "wish", "culture", "周末想学书法", "周末书法课", "low"),
    ("resident", "need", "safety", "小区里电动车乱充电很危险", "电动车安全充电", "high"),
    ("resident", "need", "environment", "垃圾分类点太远", "增设垃圾分类点", "normal"),
    ("resident", "wish", "children", "暑假希望有托管班", "暑期儿童托管", "normal"),
    ("resident", "need", "elderly", "独居老人吃饭不方便", "独居老人助餐", "high"),
    ("resident", "wish", "culture", "想组织广场舞队", "", "low"),
    ("resident", "need", "facilities", "路灯坏了好几盏", "小区路灯维修", "normal"),
    ("resident", "need", "safety", "防诈骗知识宣传", "防诈骗宣传", "normal"),
    ("resident", "wish", "children", "孩子们想学科学小实验", "儿童科学实验课", "low"),
    ("resident", "need", "help", "困难家庭冬季需要棉被", "困难家庭冬季物资", "high"),
    ("resident", "need", "other", "希望开放学校操场给居民晨练", "", "low"),
    ("home_visit", "need", "elderly", "老人行动不便，需要上门理发", "上门理发", "normal"),
    ("home_visit", "need", "health", "慢性病老人需要定期随访", "慢病随访", "high"),
    ("home_visit", "need", "elderly", "独居老人希望有人陪伴聊天", "陪伴探访", "normal"),
    ("home_visit", "need", "help", "残疾人家庭需要助浴", "上门助浴", "high"),
    ("home_visit", "need", "children", "双职工家庭放学后无人照看孩子", "四点半课堂", "normal"),
    ("home_visit", "need", "facilities", "老楼水管老化", "", "normal"),
    ("home_visit", "need", "elderly", "老人不会用手机挂号", "老年人智能手机教学", "normal"),
    ("home_visit", "need", "safety", "独居老人家中需要烟雾报警器", "独居老人烟雾报警器", "high"),
    ("questionnaire", "need", "culture", "希望多办邻里文化活动", "邻里文化活动", "low"),
    ("questionnaire", "need", "health", "希望有急救培训", "急救知识培训", "normal"),
    ("questionnaire", "need", "environment", "希望增加绿化", "小区绿化补植", "low"),
    ("questionnaire", "need", "children", "希望有亲子活动", "亲子活动", "low"),
    ("questionnaire", "need", "other", "希望了解金融防骗知识", "金融知识讲座", "normal"),
    ("questionnaire", "need", "safety", "夜间照明不足", "", "normal"),
]

PROJECTS = [
    # (title, owner index or None, need indexes, resource indexes, state, days ago started)
    ("楼道读书角", 3, [0], [5], "done", 200),
    ("3号楼扶手与坡道", 11, [1, 2], [19], "done", 180),
    ("银龄智能手机课堂", 8, [3, 22], [13, 14], "done", 170),
    ("社区义诊进楼栋", 5, [4, 17], [7], "done", 150),
    ("周末科学小实验", 0, [13], [0, 1], "done", 120),
    ("防诈骗宣传月", 2, [12, 28], [3, 11], "done", 100),
    ("独居老人助餐与陪伴", 10, [9, 18], [18], "running", 80),
    ("上门理发助浴", 10, [16, 19], [17], "running", 60),
    ("四点半课堂", 4, [20], [6, 4], "running", 40),
    ("急救知识培训", 5, [25], [8], "running", 30),
    ("冬季暖心物资", None, [14], [], "planned", 10),
    ("电动车安全充电", None, [6], [], "planned", 5),
]

OUTCOMES = [
    "读书角在5号楼架空层建成，小学捐赠图书300册，每周六由教师志愿者开放。",
    "3号楼4个单元加装扶手，门口修建无障碍坡道，轮椅可直接进出。",
    "开课12次，86位老人学会视频通话和手机挂号。",
    "义诊4场，服务居民260人次，32位慢病老人签约家庭医生。",
    "开课8次，45名儿童参加，作品在邻里节展出。",
    "宣讲6场，发放资料800份，辖区电信诈骗报案数下降。",
]
COMMENTS = ["很好，孩子很喜欢", "老人上下楼方便多了", "学会了视频通话", "医生很耐心", "", "实用"]


def seed(command, community, people):
    """Create the demo alliance; idempotent. Returns lines to print."""
    if Need.objects.exists():
        return ["alliance: demo lists already present"]
    return _seed(people)


def _at(day: date, hour=10) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def _partners(people) -> list[Partner]:
    teacher = User.objects.filter(mobile=TEACHER_MOBILE).first()
    partners = []
    for name, kind, about, contact in PARTNERS:
        partner, _created = Partner.objects.get_or_create(
            name=name, defaults={"kind": kind, "about": about}
        )
        partner.contact_name = partner.contact_name or contact
        partner.contact_phone = partner.contact_phone or f"028-8866{len(partners):04d}"
        if name == PARTNERS[0][0] and teacher is not None:
            partner.contact_user = teacher  # the teacher's institution: try the partners' page
        partner.save()
        partners.append(partner)
    return partners


def _seed(people) -> list[str]:
    rng = random.Random(2017)
    today = timezone.localdate()
    staff = people["alliance_staff"]
    partners = _partners(people)
    resources = [
        Resource.objects.create(
            partner=partners[p],
            kind=kind,
            title=title,
            quantity=qty,
            unit=unit,
            hours=hours,
            conditions=cond,
            valid_from=today - timedelta(days=300),
            valid_until=today + timedelta(days=200 + 10 * i),
        )
        for i, (p, kind, title, qty, unit, hours, cond) in enumerate(RESOURCES)
    ]
    askers = [people[k] for k in ("elder", "parent", "volunteer", "leader", "coordinator")]
    households = list(Household.objects.order_by("pk")[:12])
    visits = []
    for k, household in enumerate(households[:8]):
        visit = HomeVisit.objects.create(
            household=household,
            visited_on=today - timedelta(days=20 + 25 * k),
            notes="了解老人生活起居与身体状况，记录需求。",
            recorded_by=staff,
        )
        visit.visitors.set([staff])
        visits.append(visit)
    needs = []
    for i, (source, kind, category, title, summary, urgency) in enumerate(NEEDS):
        received = _at(today - timedelta(days=300 - 9 * i), 9 + i % 8)
        fields = {
            "source": source,
            "kind": kind,
            "category": category,
            "title": title,
            "description": f"{title}。",
            "public_summary": summary,
            "urgency": urgency,
            "received_at": received,
        }
        if source == "resident":
            author = askers[i % len(askers)]
            fields.update(author=author, household=author.household, building=author.building)
        elif source == "home_visit":
            visit = visits[i % len(visits)]
            fields.update(
                home_visit=visit, household=visit.household, building=visit.household.building
            )
        needs.append(Need(**fields))
    in_projects = {n for _t, _o, idx, _r, _s, _d in PROJECTS for n in idx}
    for i, need in enumerate(needs):
        if i in in_projects or i in (7, 11, 23, 26):
            need.state = Need.State.ACCEPTED
            need.answered_at = need.received_at + timedelta(days=1 + rng.randint(0, 6))
            need.answered_by = staff
        elif i in (15, 21):
            need.state = Need.State.DECLINED
            need.reason = "学校操场涉及学生安全，暂不对外开放；已向街道反映。"
            need.answered_at = need.received_at + timedelta(days=3)
            need.answered_by = staff
        # the others stay new
    Need.objects.bulk_create(needs)
    needs = list(Need.objects.order_by("pk"))
    # The square-dance wish joins the questionnaires' call for neighbourhood culture.
    merged = needs[10]
    merged.state = Need.State.MERGED
    merged.merged_into = needs[24]
    merged.answered_at = max(merged.received_at, needs[24].received_at) + timedelta(days=2)
    merged.answered_by = staff
    merged.save(update_fields=["state", "merged_into", "answered_at", "answered_by"])
    made_projects = []
    for p, (title, owner, idx, res, state, days) in enumerate(PROJECTS):
        started = today - timedelta(days=days)
        project = Project.objects.create(
            title=title,
            plan=f"{title}：对接辖区单位资源，社区统筹实施。",
            owner=partners[owner] if owner is not None else None,
            starts_on=started,
            ends_on=started + timedelta(days=60),
            budget=Decimal(500 + 100 * p),
            created_by=staff,
        )
        project.resources.set([resources[r] for r in res])
        if state != "planned":
            ProjectUpdate.objects.create(
                project=project, text="项目启动，完成需求对接与人员分工。", created_by=staff
            )
            project.state = Project.State.RUNNING
        if state == "done":
            project.state = Project.State.DONE
            project.outcome = OUTCOMES[p]
            project.closed_at = _at(min(started + timedelta(days=45), today))
        project.save()
        for n in idx:
            need = needs[n]
            need.project = project
            need.state = Need.State.DONE if state == "done" else Need.State.IN_PROJECT
            need.done_at = project.closed_at
            need.save(update_fields=["project", "state", "done_at"])
        made_projects.append(project)
    raters = list(
        User.objects.filter(groups__name=roles.RESIDENT, is_active=True).order_by("pk")[:8]
    )
    ratings = 0
    for p, project in enumerate(made_projects):
        if project.state != Project.State.DONE:
            continue
        for k, user in enumerate(raters[: 3 + p % 4]):
            Rating.objects.create(
                project=project,
                user=user,
                stars=rng.choice([4, 5, 5, 5, 3]),
                comment=COMMENTS[(p + k) % len(COMMENTS)] if k == 0 else "",
                created_at=project.closed_at + timedelta(days=2 + k),
            )
            ratings += 1
    paired = sum(1 for p in made_projects if p.resources.exists())
    return [
        f"alliance: {len(partners)} partners, {len(resources)} resources, {len(needs)} needs "
        f"({len(visits)} home visits), {len(made_projects)} projects ({paired} paired), "
        f"{ratings} ratings",
        f"alliance: staff log-in {staff.mobile}; partner contact log-in {TEACHER_MOBILE}",
    ]
