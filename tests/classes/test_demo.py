"""The classroom's demo data: realistic, and safe to seed twice."""

from classes import demo
from classes.models import ClassSession, Course, Enrolment, FundEntry, Institution
from portal import demo as portal_demo


def test_seeding_twice_makes_no_duplicates(db):
    community = portal_demo.seed_community()
    people = portal_demo.seed_people()
    lines = demo.seed(None, community, people)
    assert any("class hours" in line for line in lines)
    counts = (Course.objects.count(), Enrolment.objects.count(), FundEntry.objects.count())
    demo.seed(None, community, people)
    assert counts == (Course.objects.count(), Enrolment.objects.count(), FundEntry.objects.count())

    assert Institution.objects.count() == 4
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
