"""A small resident register touching every module, for the tests of who sees whom.

Each person is involved in exactly one module's work, so a test can tell whose scope let them in.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from canteen.models import Booking as MealBooking
from classes.models import Enrolment, Teacher, Term
from events.models import Booking as EventBooking
from events.models import Registration
from portal import roles
from portal.models import HouseholdMember, Partner, User
from tests.canteen.helpers import make_menu
from tests.classes.helpers import make_course
from tests.events.helpers import make_activity
from tests.factories import make_child, make_user
from tests.volunteers.helpers import make_member, make_team


@dataclass
class Register:
    diner: User  # booked a lunch (aged 40: in scope only through the booking)
    elder: User  # 76, eligible for the subsidy, never booked
    registrant: User  # registered for an activity
    parent: User  # the enrolled child's parent
    child: HouseholdMember  # enrolled in a course
    other_child: HouseholdMember  # the registrant's child, in no course
    volunteer: User  # member of the team
    bystander: User  # in nobody's work
    team_leader: User
    teacher_user: User
    course_id: int
    team_id: int


def build_register() -> Register:
    from events.models import Event

    diner = make_user("孙食客", birth_date=date(1986, 3, 3), mobile="13700000001")
    elder = make_user("刘奶奶", birth_date=date(1950, 2, 14), mobile="13700000002")
    registrant = make_user("赵报名", birth_date=date(1990, 1, 1), mobile="13700000003")
    other_child = make_child(registrant, name="赵小宝", birth_date=date(2019, 4, 4))
    parent = make_user("张妈妈", birth_date=date(1988, 5, 21), mobile="13700000004")
    child = make_child(parent, name="张小明", birth_date=date(2018, 9, 1))
    volunteer = make_user(
        "李志愿", role_list=[roles.RESIDENT, roles.VOLUNTEER], mobile="13700000005"
    )
    bystander = make_user("路过者", birth_date=date(1980, 8, 8), mobile="13700000006")
    team_leader = make_user(
        "陈队长", role_list=[roles.RESIDENT, roles.VOLUNTEER, roles.TEAM_LEADER]
    )
    teacher_user = make_user("林老师")

    menu = make_menu(day=date(2026, 5, 6), price="14.00")
    MealBooking.objects.create(menu=menu, member=diner.member, booked_by=diner)

    festival = Event.objects.create(
        title="你好·邻居",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 2),
        is_published=True,
    )
    activity = make_activity(festival)
    booking = EventBooking.objects.create(
        activity=activity, household=registrant.household, booked_by=registrant
    )
    Registration.objects.create(booking=booking, activity=activity, member=registrant.member)

    term = Term.objects.create(
        name="2026年秋季", starts_on=date(2026, 9, 7), ends_on=date(2026, 12, 31)
    )
    institution = Partner.objects.create(name="星光教育", kind=Partner.Kind.EDUCATION)
    teacher = Teacher.objects.create(name="林老师", institution=institution, user=teacher_user)
    course = make_course(term, teacher=teacher, institution=institution)
    Enrolment.objects.create(
        course=course,
        child=child,
        enrolled_by=parent,
        status=Enrolment.Status.ENROLLED,
        pickup_people="张妈妈",
        fee=Decimal("0.00"),
    )

    team = make_team(leader=team_leader)
    make_member(volunteer, team)
    make_member(team_leader, team)
    return Register(
        diner=diner,
        elder=elder,
        registrant=registrant,
        parent=parent,
        child=child,
        other_child=other_child,
        volunteer=volunteer,
        bystander=bystander,
        team_leader=team_leader,
        teacher_user=teacher_user,
        course_id=course.pk,
        team_id=team.pk,
    )


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)
