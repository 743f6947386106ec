"""The classroom's demo data: realistic, and safe to seed twice."""

from classes import demo
from classes.models import ClassSession, Course, Enrolment
from fund.models import FundEntry
from portal import demo as portal_demo
from portal.models import Household, HouseholdMember, Partner


def test_seeding_twice_makes_no_duplicates(db):
    community = portal_demo.seed_community()
    people = portal_demo.seed_people()
    lines = demo.seed(None, community, people)
    assert any("class hours" in line for line in lines)
    counts = (Course.objects.count(), Enrolment.objects.count(), FundEntry.objects.count())
    demo.seed(None, community, people)
    assert counts == (Course.objects.count(), Enrolment.objects.count(), FundEntry.objects.count())

    assert Partner.objects.filter(kind=Partner.Kind.EDUCATION).count() == 4
    assert (
        Course.objects.filter(
            term__starts_on=Course.objects.latest("term__starts_on").term.starts_on
        ).count()
        == 18
    )
    hours = ClassSession.objects.total_hours()
    assert 1500 <= hours <= 2500  # the community reports about 2,000 class hours
    assert Enrolment.objects.filter(child__name="张小明", status="enrolled").count() == 1
    assert FundEntry.objects.balance() > 0
    assert FundEntry.objects.filter(source_payment__isnull=False).exists()  # fees feed the fund
    drawn = Course.objects.get(mode=Course.Mode.LOTTERY)
    assert drawn.lottery_seed and drawn.enrolments.enrolled().count() == drawn.capacity


def test_seeding_survives_other_households_at_the_demo_addresses(db):
    community = portal_demo.seed_community()
    people = portal_demo.seed_people()
    # Another module's demo (or a real family) already lives at the classroom's first address.
    Household.objects.create(building="7", unit="1", room="101")
    Household.objects.create(building="7", unit="1", room="101")

    demo.seed(None, community, people)
    demo.seed(None, community, people)

    children = HouseholdMember.objects.filter(name__in=demo.CHILD_NAMES)
    assert children.count() == len(demo.CHILD_NAMES)
    first = children.get(name=demo.CHILD_NAMES[0])
    assert (first.household.building, first.household.unit, first.household.room) == (
        "7",
        "1",
        "101",
    )
