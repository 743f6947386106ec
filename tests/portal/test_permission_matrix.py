"""The permission matrix: every URL of the portal and every admin page, for every role.

Each URL the resolver knows is requested (GET) as each role, with ids filled from a small data
set, and the answer is compared with the status declared here: 200, 302 (to log in, or on to
another page), 403, 404 or 405 (a POST-only action). A URL missing from the matrix fails the
test, so every new page must be classified. Admin changelist, add and change pages are derived
from the declared `ADMIN_ACCESS` table.

`PORTAL_MATRIX_REPORT=1` prints the number of URLs each role reaches with each status.
"""

import os
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse

from portal import roles
from portal.models import Announcement, User
from tests.factories import make_user
from tests.portal.register import build_register

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident",
    "volunteer",
    "team_leader",
    "parent",
    "teacher",
    "partner_contact",
    "coordinator",
    "events_staff",
    "canteen_staff",
    "classes_staff",
    "alliance_staff",
    "community_admin",
    "superuser",
]
SIGNED_IN = ROLES[1:]
RESIDENTS = ["resident", "volunteer", "team_leader", "parent", "teacher", "partner_contact"]
MODULE_STAFF = [
    "coordinator",
    "events_staff",
    "canteen_staff",
    "classes_staff",
    "alliance_staff",
]


# ---------------------------------------------------------------------------------------------
# Ways to declare a row of the matrix.


def everyone(status=200, **overrides):
    """The same answer for every role (visitors included)."""
    return {**dict.fromkeys(ROLES, status), **overrides}


def signed_in(status=200, **overrides):
    """Visitors are sent to log in; everyone else gets `status`."""
    return {**dict.fromkeys(ROLES, status), "anonymous": 302, **overrides}


def only(*allowed, status=200, others=403, **overrides):
    """Visitors log in; `allowed` roles (and superusers) get `status`, the rest `others`."""
    row = {**dict.fromkeys(ROLES, others), "anonymous": 302}
    row.update(dict.fromkeys([*allowed, "superuser"], status))
    return {**row, **overrides}


POST_ONLY = signed_in(405)


# ---------------------------------------------------------------------------------------------
# The matrix. Keys are URL names; values map each role to the expected status.

LEADERS = ["team_leader", "coordinator"]

MATRIX = {
    # the shared layer
    "home": everyone(),
    "announcement-list": everyone(),
    "announcement-detail": everyone(),
    "privacy": everyone(),
    "profile": signed_in(),
    "household": signed_in(),
    # the parent's child: only the parent's household may edit it
    "household-member-edit": signed_in(404, parent=200),
    "household-member-remove": POST_ONLY,
    # the parent's number: classes staff, the teacher and those who see everyone
    "show-mobile": signed_in(
        404, parent=200, teacher=200, classes_staff=200, community_admin=200, superuser=200
    ),
    # one's own messages, data and account
    "inbox": signed_in(),
    "inbox-notice-read": POST_ONLY,
    "inbox-read-all": POST_ONLY,
    "notice-preferences": signed_in(),
    # one's own calendar of everything: the page, its buttons, and the feed (its token the key)
    "my-calendar": signed_in(),
    "my-calendar-reset": POST_ONLY,
    "my-calendar-stop": POST_ONLY,
    "my-calendar-feed": everyone(),
    "my-data": signed_in(),
    "my-data-export": signed_in(),
    "my-data-json": signed_in(),
    "consent-change": POST_ONLY,
    # deleting one's account: a resident's form; staff accounts are closed by the office
    "account-delete": signed_in(),
    # only just after logging in by a code: anyone else is sent to ask for one
    "new-password-after-code": signed_in(302),
    # a staff message's progress: only whoever sent it (the coordinator here) and superusers
    "broadcast-progress": signed_in(404, coordinator=200, superuser=200),
    "signup-sent": everyone(),
    "text-size": everyone(405),
    "set_language": everyone(405),
    # allauth
    "account_login": everyone(200, **dict.fromkeys(SIGNED_IN, 302)),
    "account_logout": everyone(302, **dict.fromkeys(SIGNED_IN, 200)),
    "account_inactive": everyone(),
    "account_signup": everyone(200, **dict.fromkeys(SIGNED_IN, 302)),
    "account_reauthenticate": signed_in(),
    "account_email": signed_in(),
    "account_email_verification_sent": everyone(),
    "account_change_password": signed_in(),
    "account_set_password": signed_in(302),
    "account_reset_password": everyone(),
    "account_confirm_login_code": everyone(302),
    "account_request_login_code": everyone(200, **dict.fromkeys(SIGNED_IN, 302)),
    "account_confirm_email": everyone(),  # "this link is invalid or has expired"
    "account_verify_phone": everyone(302),
    "account_change_phone": signed_in(),
    "account_reset_password_from_key_done": everyone(),
    "account_reset_password_from_key": everyone(200),
    "account_reset_password_done": everyone(),
    # volunteers: public and residents' pages
    "volunteers:index": everyone(),
    "volunteers:teams": everyone(),
    "volunteers:team-detail": everyone(),
    "volunteers:team-apply": POST_ONLY,
    "volunteers:team-leave": POST_ONLY,
    "volunteers:calendar": everyone(),
    "volunteers:day-detail": everyone(),
    "volunteers:posts-for-me": signed_in(),
    "volunteers:post-detail": everyone(),
    "volunteers:post-signup": POST_ONLY,
    "volunteers:signup-cancel": POST_ONLY,
    "volunteers:correction-request": POST_ONLY,
    "volunteers:checkin": signed_in(),
    "volunteers:my-schedule": signed_in(),
    "volunteers:notices-read": POST_ONLY,
    "volunteers:calendar-reset": POST_ONLY,
    "volunteers:name-visibility": POST_ONLY,
    "volunteers:my-hours": signed_in(),
    "volunteers:certificate-issue": POST_ONLY,
    "volunteers:calendar-feed": everyone(),
    "volunteers:certificate": signed_in(404),
    "volunteers:verify": everyone(),
    # volunteers: leaders and the coordinator
    # a leader of one team goes straight to it; anyone else is told there is nothing to lead
    "volunteers:lead": only(*LEADERS, others=404, team_leader=302),
    "volunteers:lead-team": only(*LEADERS),
    "volunteers:team-message": POST_ONLY,
    "volunteers:team-post-new": only(*LEADERS),
    "volunteers:clear-hold": POST_ONLY,
    "volunteers:membership-decide": POST_ONLY,
    "volunteers:member-remove": POST_ONLY,
    "volunteers:roster": only(*LEADERS),
    "volunteers:post-edit": only(*LEADERS),
    "volunteers:post-call-off": only(*LEADERS),
    "volunteers:roster-add": POST_ONLY,
    "volunteers:post-outcome": POST_ONLY,
    "volunteers:post-message": POST_ONLY,
    "volunteers:roster-action": POST_ONLY,
    "volunteers:signup-decide": POST_ONLY,
    "volunteers:correction-decide": POST_ONLY,
    "volunteers:coordinator": only("coordinator"),
    "volunteers:generate-year": POST_ONLY,
    "volunteers:copy-posts": POST_ONLY,
    "volunteers:day-message": POST_ONLY,
    "volunteers:report": only("coordinator"),
    # events
    "events:index": everyone(),
    "events:programme": everyone(),
    "events:timetable": everyone(),
    "events:stalls": everyone(),
    "events:activity": everyone(),
    "events:register": signed_in(),
    "events:calendar": everyone(),
    "events:stall-apply": signed_in(),
    "events:my": signed_in(),
    "events:stall-withdraw": POST_ONLY,
    "events:ticket": signed_in(404, resident=200),
    "events:cancel": POST_ONLY,
    "events:notices-read": POST_ONLY,
    "events:staff": only("events_staff"),
    "events:check-in": only("events_staff"),
    "events:walk-in": POST_ONLY,
    "events:attendees": only("events_staff"),
    "events:staff-register": only("events_staff"),
    "events:message": POST_ONLY,
    "events:stall-review": only("events_staff"),
    "events:stall-decide": POST_ONLY,
    "events:check-in-registration": POST_ONLY,
    "events:staff-ticket": only("events_staff"),
    "events:volunteer-post": POST_ONLY,
    "events:figures": only("events_staff"),
    # canteen
    "canteen:index": everyone(),
    "canteen:book": POST_ONLY,
    "canteen:cancel": POST_ONLY,
    # a booking's confirmation: only the household it is for
    "canteen:booking": signed_in(404, resident=200),
    "canteen:my-meals": signed_in(),
    "canteen:card": signed_in(),
    "canteen:collectors": signed_in(),
    "canteen:collector-remove": POST_ONLY,
    "canteen:receipt": signed_in(404, resident=200, canteen_staff=200, superuser=200),
    "canteen:counter": only("canteen_staff"),
    "canteen:counter-member": only("canteen_staff"),
    "canteen:reverse-meal": POST_ONLY,
    "canteen:week-plan": only("canteen_staff"),
    "canteen:menu-add": only("canteen_staff"),
    "canteen:menu-edit": only("canteen_staff"),
    "canteen:check-on": only("canteen_staff"),
    "canteen:settlement": only("canteen_staff"),
    "canteen:close-month": POST_ONLY,
    "canteen:love-meals": only("canteen_staff"),
    "canteen:assign-delivery": POST_ONLY,
    "canteen:route-sheet": only("canteen_staff"),
    "canteen:my-deliveries": signed_in(),
    "canteen:mark-delivered": POST_ONLY,
    # classes
    "classes:index": everyone(),
    "classes:course": everyone(),
    "classes:enrol": signed_in(),
    # an enrolment request is seen only by the parent who sent it (none of these accounts)
    "classes:request": signed_in(404),
    "classes:lottery": everyone(404),  # first come, first served: no lottery to show
    "classes:withdraw": POST_ONLY,
    "classes:mine": signed_in(),
    "classes:calendar": everyone(404),
    "classes:calendar-reset": POST_ONLY,
    "classes:teach": only("teacher", "classes_staff"),
    "classes:roster": only("teacher", "classes_staff"),
    "classes:message-parents": POST_ONLY,
    "classes:lottery-draw": POST_ONLY,
    "classes:lottery-redraw": POST_ONLY,
    "classes:fee-paid": POST_ONLY,
    "classes:enrol-for-parent": only("classes_staff"),
    "classes:register": only("teacher", "classes_staff"),
    "classes:session-cancel": POST_ONLY,
    "classes:session-move": POST_ONLY,
    "classes:statistics": only("classes_staff"),
    "classes:statistics-export": only("classes_staff"),
    # the micro-fund's old addresses (/classes/fund/...) move to /fund/ for good, for everyone
    "classes:fund-moved": everyone(301),
    # the community micro-fund: classes staff keep it; alliance staff propose spending (the
    # ledger page, without the managers' forms: tests/fund/test_fund_access.py)
    "fund:index": everyone(),
    "fund:manage": only("classes_staff", "alliance_staff"),
    "fund:income": POST_ONLY,
    "fund:propose": POST_ONLY,
    "fund:reverse": POST_ONLY,
    "fund:action": POST_ONLY,
    # without a period, staff are sent back to choose one
    "fund:statement": only("classes_staff", status=302),
    # alliance: the public board and projects, residents' requests, staff, partners' contacts
    "alliance:board": everyone(),
    "alliance:project": everyone(),
    "alliance:rate": POST_ONLY,
    "alliance:ask": signed_in(),
    "alliance:mine": signed_in(),
    # a request: only its author (the resident here) and alliance staff
    "alliance:need": signed_in(404, resident=200, alliance_staff=200, superuser=200),
    "alliance:manage": only("alliance_staff"),
    "alliance:need-record": POST_ONLY,
    "alliance:manage-need": only("alliance_staff"),
    "alliance:need-answer": POST_ONLY,
    "alliance:projects": only("alliance_staff"),
    "alliance:project-new": only("alliance_staff"),
    "alliance:project-manage": only("alliance_staff"),
    "alliance:project-action": POST_ONLY,
    # home visits are private: alliance staff and community admins
    "alliance:visits": only("alliance_staff", "community_admin"),
    "alliance:figures-export": only("alliance_staff"),
    # a partner organisation's contact person only (a superuser is nobody's contact)
    "alliance:partner": only("partner_contact", superuser=403),
    "alliance:claim": POST_ONLY,
    # alliance: questionnaires (an open one for all residents, an answer to turn into a need)
    "alliance:questionnaires": signed_in(),
    "alliance:questionnaire-answer": signed_in(),
    "alliance:questionnaire-staff": only("alliance_staff", "community_admin"),
    "alliance:questionnaire-results": only("alliance_staff", "community_admin"),
    "alliance:questionnaire-paper": only("alliance_staff", "community_admin"),
    "alliance:questionnaire-answer-need": POST_ONLY,
}

# URLs served only in development (DEBUG), never by the portal in production.
NOT_PORTAL_PAGES = {None}


# ---------------------------------------------------------------------------------------------
# The admin: per role, which models it may view (or also add and change), by app or model.

EVERYTHING = "*"
ADMIN_ACCESS = {
    "team_leader": {
        "view": {
            "volunteers.team",
            "volunteers.membership",
            "volunteers.posttemplate",
            "volunteers.post",
            "volunteers.signup",
            "volunteers.hoursentry",
            "volunteers.correctionrequest",
            "volunteers.volunteerprofile",
        },
        "add": {"volunteers.post"},
    },
    "coordinator": {
        "view": {"volunteers", *["portal.user", "portal.household"]},
        "add": {"volunteers"},
    },
    "events_staff": {"view": {"events", "portal.user", "portal.household"}, "add": {"events"}},
    "canteen_staff": {"view": {"canteen", "portal.user", "portal.household"}, "add": {"canteen"}},
    "classes_staff": {
        "view": {"classes", "fund", "portal.user", "portal.household", "portal.partner"},
        "add": {"classes", "fund", "portal.partner"},
    },
    "alliance_staff": {
        "view": {
            "alliance",
            "portal.user",
            "portal.household",
            "portal.partner",
            "portal.partnermember",
        },
        "add": {"alliance", "portal.partner", "portal.partnermember"},
    },
    "community_admin": {"view": {"portal"}, "add": {"portal"}},
    "superuser": {"view": {EVERYTHING}, "add": {EVERYTHING}},
}
for _access in ADMIN_ACCESS.values():
    if "portal.household" in _access["view"]:
        _access["view"].add("portal.householdmember")

# Models whose admin never adds rows by hand (ledgers, logs, records made by the services), or
# is one row of settings that exists already.
NO_ADD = {
    "alliance.response",
    "canteen.booking",
    "canteen.changerecord",
    "canteen.mealrecord",
    "canteen.closedmonth",
    "classes.enrolment",
    "classes.attendance",
    "fund.fundentry",
    "classes.feepayment",
    "events.booking",
    "events.registration",
    "volunteers.signup",
    "volunteers.correctionrequest",
    "volunteers.certificate",
    "volunteers.volunteersettings",
    "canteen.canteensettings",
    "classes.classroomsettings",
    "alliance.alliancesettings",
    "portal.community",
    "portal.mobilereveal",
    "portal.accountdeletion",
    "portal.notice",
    "portal.delivery",
    "portal.broadcast",
    "classes.lotterydraw",
    "alliance.rating",
    "django_tasks_database.dbtaskresult",
}
# One row of settings (portal.singleton): the changelist goes straight to it.
REDIRECTING_CHANGELISTS = {
    "portal.community",
    "volunteers.volunteersettings",
    "canteen.canteensettings",
    "classes.classroomsettings",
    "alliance.alliancesettings",
}


def _grants(levels: set[str], model_key: str) -> bool:
    app = model_key.split(".")[0]
    return bool(levels & {EVERYTHING, app, model_key})


def expected_admin_status(role: str, model_key: str, page: str, in_scope: bool = True) -> int:
    if role in ("anonymous", *[r for r in RESIDENTS if r != "team_leader"]):
        return 302  # to log in
    access = ADMIN_ACCESS.get(role, {"view": set(), "add": set()})
    may_view = _grants(access["view"], model_key) or _grants(access["add"], model_key)
    if page == "changelist":
        if not may_view:
            return 403
        return 302 if model_key in REDIRECTING_CHANGELISTS else 200
    if page == "add":
        if model_key in NO_ADD:
            return 403
        return 200 if _grants(access["add"], model_key) else 403
    # change page of an existing row
    if not may_view:
        return 403
    return 200 if in_scope else 302


# ---------------------------------------------------------------------------------------------
# The data set.


def _world():
    """People for every role and one object for every id a URL takes."""
    from canteen import services as canteen_services
    from canteen.models import LoveMealDelivery, LoveMealRecipient, Menu
    from classes.models import ClassSession, Course, Enrolment
    from events.models import Activity, Registration, StallApplication
    from fund.models import FundEntry
    from tests.canteen.helpers import make_menu
    from volunteers import services as volunteer_services
    from volunteers.models import Membership, Team, VolunteerProfile

    reg = build_register()
    people = {
        "anonymous": None,
        "resident": reg.registrant,
        "volunteer": reg.volunteer,
        "team_leader": reg.team_leader,
        "parent": reg.parent,
        "teacher": reg.teacher_user,
        "coordinator": make_user("周协调", role_list=[roles.VOLUNTEER_COORDINATOR]),
        "events_staff": make_user("吴活动", role_list=[roles.EVENTS_STAFF]),
        "canteen_staff": make_user("郑食堂", role_list=[roles.CANTEEN_STAFF]),
        "classes_staff": make_user("王课堂", role_list=[roles.CLASSES_STAFF]),
        "alliance_staff": make_user("赵联盟", role_list=[roles.ALLIANCE_STAFF]),
        "partner_contact": make_user("钱联络"),
        "community_admin": make_user("管理员", role_list=[roles.COMMUNITY_ADMIN]),
        "superuser": User.objects.create_superuser("root", password="x", mobile="13600000001"),
    }
    team = Team.objects.get(pk=reg.team_id)
    from tests.volunteers.helpers import make_post

    post = make_post(team=team, day=date(2026, 9, 10))
    signup = volunteer_services.sign_up(post, reg.volunteer)
    profile = VolunteerProfile.objects.get(user=reg.volunteer)
    membership = Membership.objects.get(user=reg.volunteer)

    registration = Registration.objects.get()
    activity = registration.activity
    market = Activity.objects.create(
        event=activity.event,
        title="跳蚤市场",
        kind=Activity.Kind.MARKET,
        place="广场",
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        stall_count=5,
    )
    stall = StallApplication.objects.create(activity=market, applicant=reg.registrant, goods="旧书")
    # the resident's own meal, booked today for tomorrow
    menu = make_menu(day=date(2026, 9, 2))
    meal_booking = canteen_services.book(menu, reg.registrant.member, by=reg.registrant)
    today = make_menu(day=date(2026, 9, 1))
    record = canteen_services.record_meal(today, reg.registrant.member, by=people["canteen_staff"])
    collector = canteen_services.add_collector(reg.registrant.member, name="赵女儿")
    recipient = LoveMealRecipient.objects.create(name="孤老", kind="empty_nest", building="1")
    delivery = LoveMealDelivery.objects.create(
        day=date(2026, 9, 8), recipient=recipient, value=Decimal("15.00")
    )

    course = Course.objects.get(pk=reg.course_id)
    from classes import services as classes_services

    classes_services.generate_sessions(course)
    session = ClassSession.objects.filter(course=course).first()
    enrolment = Enrolment.objects.get()
    fund_entry = FundEntry.objects.create(
        date=date(2026, 9, 1),
        kind=FundEntry.Kind.INCOME,
        category=FundEntry.Category.DONATION,
        amount=Decimal("100.00"),
        description="捐款",
        status=FundEntry.Status.POSTED,
        proposed_by=people["classes_staff"],
    )
    announcement = Announcement.objects.create(title="通知", body="正文")
    from portal.models import Broadcast, Notice
    from portal.notices import notify

    notice = notify(
        reg.registrant, Notice.Kind.MESSAGE, "你好", params={"title": "服务日", "message": "你好"}
    )
    broadcast = Broadcast.objects.create(
        source="volunteers", title="服务日", text="下雨改室内", created_by=people["coordinator"]
    )

    from portal.my_calendar import reset_key

    calendar_key = reset_key(reg.parent)
    from alliance import services as alliance_services
    from alliance.models import Need, Resource
    from portal.models import Partner

    partner = Partner.objects.create(name="公园路小学", contact_user=people["partner_contact"])
    resource = Resource.objects.create(partner=partner, kind="venue", title="礼堂")
    need = alliance_services.post_need(
        reg.registrant, kind="need", category="facilities", title="扶手", description="楼道扶手"
    )
    other = alliance_services.record_need(
        people["alliance_staff"],
        source="home_visit",
        category="elderly",
        title="助浴",
        description="助浴",
    )
    alliance_services.accept(other, by=people["alliance_staff"])
    project = alliance_services.create_project(
        people["alliance_staff"],
        title="助浴服务",
        plan="计划",
        starts_on=date(2026, 9, 1),
        needs=[other],
        resources=[resource],
        owner=partner,
    )
    assert Need.objects.count() == 2

    from alliance import questionnaire_services
    from alliance.questionnaires import Answer
    from tests.alliance.questionnaire_helpers import good_values, make_questionnaire

    questionnaire = make_questionnaire()
    questionnaire_services.answer(
        questionnaire, user=reg.registrant, values=good_values(questionnaire)
    )
    text_answer = Answer.objects.filter(question__kind="long_text").get()

    args = {
        "my-calendar-feed": {"token": calendar_key.token},
        "alliance:project": {"pk": project.pk},
        "alliance:rate": {"pk": project.pk},
        "alliance:need": {"pk": need.pk},
        "alliance:manage-need": {"pk": need.pk},
        "alliance:need-answer": {"pk": need.pk, "action": "accept"},
        "alliance:project-manage": {"pk": project.pk},
        "alliance:project-action": {"pk": project.pk, "action": "update"},
        "alliance:figures-export": {"year": 2026, "fmt": "csv"},
        "alliance:claim": {"pk": need.pk},
        "alliance:questionnaire-answer": {"pk": questionnaire.pk},
        "alliance:questionnaire-results": {"pk": questionnaire.pk},
        "alliance:questionnaire-paper": {"pk": questionnaire.pk},
        "alliance:questionnaire-answer-need": {"pk": text_answer.pk},
        "announcement-detail": {"pk": announcement.pk},
        "household-member-edit": {"pk": reg.child.pk},
        "household-member-remove": {"pk": reg.child.pk},
        "show-mobile": {"pk": reg.parent.pk},
        "account_confirm_email": {"key": "no-such-key"},
        "account_reset_password_from_key": {"uidb36": "zz", "key": "no-such-key"},
        "volunteers:team-detail": {"slug": team.slug},
        "volunteers:team-apply": {"slug": team.slug},
        "volunteers:team-leave": {"slug": team.slug},
        "volunteers:day-detail": {"day": "2026-09-10"},
        "volunteers:post-detail": {"pk": post.pk},
        "volunteers:post-signup": {"pk": post.pk},
        "volunteers:signup-cancel": {"pk": signup.pk},
        "volunteers:correction-request": {"pk": signup.pk},
        "volunteers:checkin": {"token": post.checkin_token},
        "volunteers:calendar-feed": {"token": profile.calendar_token},
        "volunteers:certificate": {"number": "NO-SUCH"},
        "volunteers:lead-team": {"slug": team.slug},
        "volunteers:team-message": {"slug": team.slug},
        "volunteers:team-post-new": {"slug": team.slug},
        "volunteers:clear-hold": {"slug": team.slug, "pk": profile.pk},
        "volunteers:membership-decide": {"pk": membership.pk},
        "volunteers:member-remove": {"pk": membership.pk},
        "volunteers:roster": {"pk": post.pk},
        "volunteers:post-edit": {"pk": post.pk},
        "volunteers:post-call-off": {"pk": post.pk},
        "volunteers:roster-add": {"pk": post.pk},
        "volunteers:post-outcome": {"pk": post.pk},
        "volunteers:post-message": {"pk": post.pk},
        "volunteers:roster-action": {"pk": signup.pk},
        "volunteers:signup-decide": {"pk": signup.pk},
        "volunteers:correction-decide": {"pk": 1},
        "volunteers:day-message": {"day": "2026-09-10"},
        "events:programme": {"pk": activity.event_id},
        "events:timetable": {"pk": activity.event_id},
        "events:stalls": {"pk": activity.event_id},
        "events:activity": {"pk": activity.pk},
        "events:register": {"pk": activity.pk},
        "events:calendar": {"pk": activity.pk},
        "events:stall-apply": {"pk": market.pk},
        "events:stall-withdraw": {"pk": stall.pk},
        "events:ticket": {"token": registration.ticket_token},
        "events:cancel": {"pk": registration.pk},
        "events:check-in": {"pk": activity.pk},
        "events:walk-in": {"pk": activity.pk},
        "events:attendees": {"pk": activity.pk},
        "events:staff-register": {"pk": activity.pk},
        "events:message": {"pk": activity.pk},
        "events:stall-review": {"pk": market.pk},
        "events:stall-decide": {"pk": stall.pk},
        "events:check-in-registration": {"pk": registration.pk},
        "events:staff-ticket": {"token": registration.ticket_token},
        "events:volunteer-post": {"pk": activity.pk},
        "events:figures": {"pk": activity.event_id},
        "canteen:cancel": {"pk": meal_booking.pk},
        "canteen:booking": {"pk": meal_booking.pk},
        "inbox-notice-read": {"pk": notice.pk},
        "broadcast-progress": {"pk": broadcast.pk},
        "canteen:collector-remove": {"pk": collector.pk},
        "canteen:receipt": {"pk": record.pk},
        "canteen:counter-member": {"pk": reg.registrant.member.pk},
        "canteen:reverse-meal": {"pk": record.pk},
        "canteen:menu-edit": {"pk": Menu.objects.first().pk},
        "canteen:assign-delivery": {"pk": delivery.pk},
        "canteen:route-sheet": {"day": "2026-09-08"},
        "canteen:mark-delivered": {"pk": delivery.pk},
        "classes:course": {"pk": course.pk},
        "classes:enrol": {"pk": course.pk},
        "classes:request": {"pk": 999999},
        "classes:lottery": {"pk": course.pk},
        "classes:withdraw": {"pk": enrolment.pk},
        "classes:calendar": {"token": "no-such-token"},
        "classes:roster": {"pk": course.pk},
        "classes:message-parents": {"pk": course.pk},
        "classes:lottery-draw": {"pk": course.pk},
        "classes:lottery-redraw": {"pk": course.pk},
        "classes:fee-paid": {"pk": enrolment.pk},
        "classes:enrol-for-parent": {"pk": course.pk},
        "classes:register": {"pk": session.pk},
        "classes:session-cancel": {"pk": session.pk},
        "classes:session-move": {"pk": session.pk},
        "classes:statistics-export": {"grouping": "course", "fmt": "csv"},
        "classes:fund-moved": {"rest": "manage/"},
        "fund:reverse": {"pk": fund_entry.pk},
        "fund:action": {"pk": fund_entry.pk, "action": "approve"},
        "fund:statement": {"fmt": "csv"},
    }
    return people, args, reg


def portal_url_names():
    """Every named URL outside the admin, as 'namespace:name'."""

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                ns = p.namespace or namespace
                yield from walk(p.url_patterns, ns)
            else:
                yield f"{namespace}:{p.name}" if namespace and p.name else p.name

    return list(dict.fromkeys(walk(get_resolver().url_patterns)))


def _client_for(client, person):
    if person is not None:
        client.force_login(person)
    return client


@pytest.fixture
def world(time_machine):
    time_machine.move_to("2026-09-01 10:00 +08:00", tick=False)
    return _world()


def test_every_portal_url_is_in_the_matrix():
    names = set(portal_url_names()) - NOT_PORTAL_PAGES
    assert names - set(MATRIX) == set(), "classify these URLs in MATRIX"
    assert set(MATRIX) - names == set(), "these URLs no longer exist"
    for name, row in MATRIX.items():
        assert set(row) == set(ROLES), name


_report = Counter()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_declared_answer_from_every_portal_url(client, world, role):
    people, args, _reg = world
    client = _client_for(client, people[role])
    wrong = []
    for name in portal_url_names():
        if name in NOT_PORTAL_PAGES or name not in MATRIX:
            continue
        url = reverse(name, kwargs=args.get(name))
        status = client.get(url).status_code
        _report[(role, "portal", status)] += 1
        if status != MATRIX[name][role]:
            wrong.append(f"{name} {url}: {status}, expected {MATRIX[name][role]}")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_declared_answer_from_every_admin_page(client, world, role):
    people, _args, reg = world
    client = _client_for(client, people[role])
    wrong = []
    for model in admin.site._registry:
        meta = model._meta
        key = f"{meta.app_label}.{meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        pages = [("changelist", reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))]
        pages.append(("add", reverse(f"admin:{meta.app_label}_{meta.model_name}_add")))
        if obj is not None:
            pages.append(
                (
                    "change",
                    reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]),
                )
            )
        for page, url in pages:
            status = client.get(url).status_code
            _report[(role, "admin", status)] += 1
            in_scope = _in_scope(people[role], obj) if page == "change" else True
            expected = expected_admin_status(role, key, page, in_scope)
            if status != expected:
                wrong.append(f"{key} {page}: {status}, expected {expected}")
    assert wrong == []


def _in_scope(viewer, obj) -> bool:
    """Whether a person row is among those the viewer's work involves (other rows: always)."""
    from portal.models import Household, HouseholdMember
    from portal.people import visible_households, visible_members, visible_users

    if viewer is None:
        return True
    for model, visible in [
        (User, visible_users),
        (HouseholdMember, visible_members),
        (Household, visible_households),
    ]:
        if isinstance(obj, model):
            return visible(viewer).filter(pk=obj.pk).exists()
    return True


def teardown_module(module):
    if os.environ.get("PORTAL_MATRIX_REPORT"):
        for role in ROLES:
            counts = {k[1:]: v for k, v in _report.items() if k[0] == role}
            print(role, dict(sorted(counts.items())))
