"""Every list page runs a fixed number of queries however many rows exist."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.volunteers.helpers import DAY, at, make_member, make_post, make_team
from volunteers import services
from volunteers.models import HoursEntry, Membership, Post, ServiceDay, Signup


def _bulk_world(team_leader, volunteer, *, teams=12, posts_per_team=8, people=20):
    """Many teams, posts, members, sign-ups and ledger rows, made quickly."""
    users = [make_user(f"志愿者{i}") for i in range(people)] + [volunteer]
    all_teams = [make_team(f"队伍{i}", leader=team_leader, slug=f"team{i}") for i in range(teams)]
    Membership.objects.bulk_create(
        [Membership(team=t, user=u, status="approved") for t in all_teams for u in users[:10]]
    )
    for u in users:
        services.ensure_profile(u)
    days = [ServiceDay.objects.create(date=DAY + timedelta(days=30 * k)) for k in range(3)]
    posts = []
    for t in all_teams:
        for k in range(posts_per_team):
            day = days[k % 3].date
            start = at(day, 8 + k % 8)
            posts.append(
                Post(
                    team=t,
                    service_day=days[k % 3],
                    title=f"岗位{k}",
                    place="广场",
                    start=start,
                    end=start + timedelta(hours=1),
                    capacity=5,
                )
            )
    Post.objects.bulk_create(posts)
    posts = list(Post.objects.all())
    signups = []
    for n, p in enumerate(posts):
        for seat, u in enumerate(users[n % 5 : n % 5 + 3], start=1):
            signups.append(Signup(post=p, volunteer=u, status="confirmed", seat=seat))
    Signup.objects.bulk_create(signups)
    HoursEntry.objects.bulk_create(
        [
            HoursEntry(
                volunteer=s.volunteer,
                signup=s,
                post=s.post,
                team=s.post.team,
                served_on=DAY,
                hours=1,
                kind="credit",
                reason="x",
            )
            for s in Signup.objects.select_related("post")
        ]
    )
    return all_teams, posts


@pytest.fixture
def world(team_leader, volunteer, coordinator):
    return _bulk_world(team_leader, volunteer)


PAGES = [
    ("volunteers:index", None, None),
    ("volunteers:teams", None, None),
    ("volunteers:calendar", None, None),
    ("volunteers:posts-for-me", None, "volunteer"),
    ("volunteers:my-schedule", None, "volunteer"),
    ("volunteers:my-hours", None, "volunteer"),
    ("volunteers:index", None, "volunteer"),
    ("volunteers:lead", None, "coordinator"),
    ("volunteers:coordinator", None, "coordinator"),
    ("volunteers:report", None, "coordinator"),
    ("home", None, "volunteer"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,args,who", PAGES, ids=[f"{p[0]}-{p[2]}" for p in PAGES])
def test_list_pages_run_a_fixed_number_of_queries(
    client, world, request, django_assert_max_num_queries, name, args, who
):
    if who:
        client.force_login(request.getfixturevalue(who))
    with django_assert_max_num_queries(25):
        response = client.get(reverse(name, args=args))
    assert response.status_code == 200


@pytest.mark.django_db
def test_team_day_and_leader_pages_run_a_fixed_number_of_queries(
    client, world, team_leader, django_assert_max_num_queries
):
    teams, posts = world
    team = teams[0]
    client.force_login(team_leader)
    for url in [
        reverse("volunteers:team-detail", args=[team.slug]),
        reverse("volunteers:day-detail", args=[DAY.isoformat()]),
        reverse("volunteers:lead-team", args=[team.slug]),
        reverse("volunteers:roster", args=[posts[0].pk]),
        reverse("volunteers:post-detail", args=[posts[0].pk]),
    ]:
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_rows(client, team_leader, volunteer):
    """The same page with a few and with many rows runs the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_member(volunteer, make_team("起步队", leader=team_leader, slug="start"))
    make_post(team=None, title="单个")
    client.force_login(team_leader)
    urls = [
        reverse("volunteers:teams"),
        reverse("volunteers:lead-team", args=["start"]),
        reverse("volunteers:calendar"),
        reverse("volunteers:posts-for-me"),
    ]
    before = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        before[url] = len(ctx)
    _bulk_world(team_leader, volunteer, teams=6, posts_per_team=6, people=15)
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx) <= before[url] + 1, url


@pytest.mark.django_db
def test_the_roster_runs_the_same_queries_for_three_or_sixty_volunteers(client, team, team_leader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_post(team=team, title="小", capacity=60)
    big = make_post(team=team, title="大", capacity=60, start_hour=14)
    people = [make_user(f"人{i}") for i in range(60)]
    for post, crowd in [(small, people[:3]), (big, people)]:
        Signup.objects.bulk_create(
            [
                Signup(post=post, volunteer=u, status="confirmed", seat=i + 1)
                for i, u in enumerate(crowd)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(team=team, user=u, status="approved") for u in crowd],
            ignore_conflicts=True,
        )
    client.force_login(team_leader)
    client.get(reverse("volunteers:roster", args=[small.pk]))  # warm the session
    counts = []
    for post in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("volunteers:roster", args=[post.pk])).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
