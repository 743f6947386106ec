"""The rules that must hold, in the services and in the database itself."""

import pytest
from django.db import IntegrityError, transaction

from alliance import services
from alliance.models import Need, Project, Rating
from alliance.services import AllianceError
from portal.models import Notice
from tests.alliance.helpers import make_need, make_partner, make_resource

pytestmark = pytest.mark.django_db


def test_a_declined_need_always_has_a_reason_the_resident_reads(now, staff, asker):
    need = make_need(asker)
    with pytest.raises(AllianceError):
        services.decline(need, by=staff, reason="   ")
    need.refresh_from_db()
    assert need.state == "new"

    services.decline(need, by=staff, reason="不在社区职责范围")
    need.refresh_from_db()
    assert need.state == "declined" and need.reason == "不在社区职责范围"
    notice = Notice.objects.get(recipient=asker)
    assert "不在社区职责范围" in notice.text and notice.url == need.get_absolute_url()


def test_the_database_refuses_a_declined_need_without_a_reason(now, staff, asker):
    need = make_need(asker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(state="declined", answered_at=need.received_at)


def test_a_merged_need_points_to_the_one_it_joined(now, staff, asker):
    first = make_need(asker, state="accepted", by=staff)
    second = make_need(asker)
    services.merge(second, into=first, by=staff)
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into == first
    assert list(first.merged_needs.all()) == [second]
    with pytest.raises(AllianceError):
        services.merge(first, into=first, by=staff)
    third = make_need(asker)
    with pytest.raises(AllianceError):  # never into a merged one
        services.merge(third, into=second, by=staff)


@pytest.mark.parametrize(
    "change",
    [
        {"state": "merged"},  # merged without pointing anywhere
        {"state": "accepted", "merged_into_id": "self"},  # pointing, but not merged
        {"state": "merged", "merged_into_id": "self"},  # into itself
    ],
    ids=["merged-nowhere", "points-but-not-merged", "into-itself"],
)
def test_the_database_keeps_merges_consistent(now, staff, asker, change):
    need = make_need(asker)
    change = {k: (need.pk if v == "self" else v) for k, v in change.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(answered_at=need.received_at, **change)


def test_answering_is_timed_once_and_only_new_needs_are_accepted(now, time_machine, staff, asker):
    need = make_need(asker)
    time_machine.move_to("2026-06-18 10:00 +08:00", tick=False)
    services.accept(need, by=staff)
    need.refresh_from_db()
    assert need.days_to_answer == 3
    with pytest.raises(AllianceError):
        services.accept(need, by=staff)
    time_machine.move_to("2026-06-25 10:00 +08:00", tick=False)
    services.decline(need, by=staff, reason="资源不足")
    need.refresh_from_db()
    assert need.days_to_answer == 3  # the first answer counts


def test_a_project_cannot_close_without_an_outcome(now, staff, asker):
    need = make_need(asker, state="accepted", by=staff)
    project = services.create_project(
        staff, title="扶手", plan="加装扶手", starts_on=now.date(), needs=[need]
    )
    with pytest.raises(AllianceError):
        services.close_project(project, by=staff, outcome="  ")
    project.refresh_from_db()
    assert project.state == "planned"
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(state="done", closed_at=now)

    services.close_project(project, by=staff, outcome="扶手已装好")
    project.refresh_from_db()
    need.refresh_from_db()
    assert (project.state, need.state) == ("done", "done")
    assert need.done_at == project.closed_at
    assert Notice.objects.filter(recipient=asker, text__contains="已办结").exists()


def test_only_accepted_needs_go_into_projects(now, staff, asker):
    new = make_need(asker)
    with pytest.raises(AllianceError):
        services.create_project(staff, title="t", plan="p", starts_on=now.date(), needs=[new])
    assert not Project.objects.exists()


def test_a_project_uses_partners_resources_and_is_owned_by_a_partner_or_the_community(
    now, staff, asker, partner
):
    need = make_need(asker, state="accepted", by=staff)
    resource = make_resource(partner)
    project = services.create_project(
        staff,
        title="t",
        plan="p",
        starts_on=now.date(),
        needs=[need],
        resources=[resource],
        owner=partner,
    )
    assert list(project.resources.all()) == [resource] and project.owner == partner
    inactive = make_partner(is_active=False)
    other = make_need(asker, state="accepted", by=staff)
    with pytest.raises(AllianceError):
        services.create_project(
            staff, title="t", plan="p", starts_on=now.date(), needs=[other], owner=inactive
        )


def test_ratings_are_1_to_5_on_completed_projects_once_per_person(now, staff, asker):
    need = make_need(asker, state="accepted", by=staff)
    project = services.create_project(
        staff, title="t", plan="p", starts_on=now.date(), needs=[need]
    )
    with pytest.raises(AllianceError):
        services.rate(project, user=asker, stars=5)
    services.close_project(project, by=staff, outcome="完成")
    for bad in (0, 6, "五", None):
        with pytest.raises(AllianceError):
            services.rate(project, user=asker, stars=bad)
    services.rate(project, user=asker, stars=3, comment="一般")
    services.rate(project, user=asker, stars=5, comment="很好")
    rating = Rating.objects.get()
    assert (rating.stars, rating.comment) == (5, "很好")
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(project=project, user=staff, stars=9)


def test_only_a_partners_contact_claims_for_it_and_the_first_claim_wins(
    now, staff, asker, partner, contact, other_partner, other_contact
):
    need = make_need(asker, state="accepted", by=staff)
    with pytest.raises(AllianceError):
        services.claim(need, partner=partner, user=other_contact)
    services.claim(need, partner=partner, user=contact)
    with pytest.raises(AllianceError, match="另一家单位|Another organisation"):
        services.claim(need, partner=other_partner, user=other_contact)
    need.refresh_from_db()
    assert need.claimed_by == partner


def test_a_volunteer_post_is_created_through_the_volunteers_service(now, staff, asker):
    from datetime import datetime, time

    from volunteers.models import Post

    need = make_need(asker, state="accepted", by=staff)
    project = services.create_project(
        staff, title="读书角", plan="p", starts_on=now.date(), needs=[need]
    )
    tz = now.tzinfo
    start = datetime.combine(now.date(), time(9), tz)
    post = services.add_volunteer_post(
        project,
        by=staff,
        title="整理图书",
        place="5号楼",
        start=start,
        end=start.replace(hour=11),
        capacity=3,
    )
    assert Post.objects.get() == post and post.source == f"alliance:project:{project.pk}"
    assert list(project.volunteer_posts.all()) == [post]
    with pytest.raises(AllianceError):  # the volunteers' own rules, as a translated error
        services.add_volunteer_post(
            project, by=staff, title="x", place="y", start=start, end=start, capacity=1
        )
