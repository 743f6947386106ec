"""The alliance's demo data: the article's figures, every source, and safe to seed twice."""

from alliance import demo
from alliance.models import HomeVisit, Need, Project, Rating, Resource
from portal import demo as portal_demo
from portal.models import Partner
from tests.factories import make_user


def test_the_demo_has_the_three_lists_and_seeding_twice_adds_nothing(db):
    community = portal_demo.seed_community()
    people = portal_demo.seed_people()
    teacher = make_user("林老师", mobile=demo.TEACHER_MOBILE)
    lines = demo.seed(None, community, people)
    assert any("12 projects" in line for line in lines)

    assert Partner.objects.count() == 12
    assert len(set(Partner.objects.values_list("kind", flat=True))) >= 6
    assert Partner.objects.get(name="星光教育培训学校").contact_user == teacher
    assert Resource.objects.count() == 20
    assert Need.objects.count() == 30
    assert set(Need.objects.values_list("source", flat=True)) == {
        "resident",
        "home_visit",
        "questionnaire",
    }
    assert Need.objects.filter(kind="wish").exists()
    assert Need.objects.filter(state="declined").exclude(reason="").exists()
    assert Need.objects.filter(state="merged", merged_into__isnull=False).exists()
    assert Project.objects.count() == 12
    assert Project.objects.filter(resources__isnull=False).distinct().count() >= 10
    done = Project.objects.filter(state="done")
    assert done.count() >= 5 and not done.filter(outcome="").exists()
    assert Rating.objects.filter(project__in=done).count() >= 10
    assert HomeVisit.objects.count() >= 5
    assert Need.objects.filter(home_visit__isnull=False).exists()

    counts = (Need.objects.count(), Project.objects.count(), Partner.objects.count())
    assert demo.seed(None, community, people) == ["alliance: demo lists already present"]
    assert counts == (Need.objects.count(), Project.objects.count(), Partner.objects.count())
